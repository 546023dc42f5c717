package io.rcimport.exporter.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.rcimport.exporter.demo.Fault;
import io.rcimport.exporter.demo.ImportSimulation;
import io.rcimport.exporter.demo.Scenario;
import io.rcimport.exporter.demo.SimulatedRocketChat;
import io.rcimport.exporter.demo.TestRocketChat;
import io.rcimport.exporter.testing.RocketChatFixtures;
import io.rcimport.exporter.testing.TcpForwarder;
import io.rcimport.exporter.tls.TlsMaterial;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The server side of one fault: something that answers well until {@link #inject} and fails in
 * one particular way until {@link #clear}. Started (and so all its threads created) inside the
 * fault's own thread group, apart from the agent's.
 */
interface FaultyServer extends AutoCloseable {

    /** What a server may do to the agent besides answering: reload it with another target URL. */
    interface Agent {
        void reloadWithUrl(String url) throws Exception;
    }

    void start() throws Exception;

    /** The target's {@code url}. */
    String url();

    /** Extra keys of the target, indented for a list item ({@code tls:} for https). */
    default String extraTargetYaml() {
        return "";
    }

    void inject(Agent agent) throws Exception;

    void clear(Agent agent) throws Exception;

    /** {@code import.status} requests received so far, or -1 if this server cannot tell. */
    default long statusRequests() {
        return -1;
    }

    /** The most bytes one connection carried to the agent, or -1 if not measured. */
    default long maxBytesPerConnection() {
        return -1;
    }

    @Override
    void close();

    // ---- the servers ------------------------------------------------------------------------

    static TestRocketChat newSimulator(int port) {
        ImportSimulation simulation = new ImportSimulation(Clock.systemUTC(), new SplittableRandom(), Scenario.steady());
        return TestRocketChat.start(SimulatedRocketChat.builder(simulation).port(port));
    }

    /** The simulated Rocket.Chat with one of its {@link Fault}s, optionally behind a byte-counting forwarder. */
    static FaultyServer simulated(Fault fault, boolean countBytes) {
        return new FaultyServer() {
            private TestRocketChat sim;
            private TcpForwarder forwarder;

            @Override
            public void start() throws Exception {
                sim = newSimulator(0);
                if (countBytes) {
                    forwarder = TcpForwarder.start(new InetSocketAddress("127.0.0.1", sim.port()));
                }
            }

            @Override
            public String url() {
                return "http://127.0.0.1:" + (forwarder != null ? forwarder.port() : sim.port());
            }

            @Override
            public void inject(Agent agent) {
                sim.setFault(fault);
            }

            @Override
            public void clear(Agent agent) {
                sim.setFault(Fault.none());
            }

            @Override
            public long statusRequests() {
                return sim.requestCount(SimulatedRocketChat.IMPORT_STATUS);
            }

            @Override
            public long maxBytesPerConnection() {
                return forwarder == null ? -1 : forwarder.maxDownstreamBytesPerConnection();
            }

            @Override
            public void close() {
                if (forwarder != null) {
                    forwarder.close();
                }
                if (sim != null) {
                    sim.close();
                }
            }
        };
    }

    /** Nothing listens on the port while the fault lasts; a new server takes the same port afterwards. */
    static FaultyServer refusing() {
        return new FaultyServer() {
            private TestRocketChat sim;
            private int port;

            @Override
            public void start() {
                sim = newSimulator(0);
                port = sim.port();
            }

            @Override
            public String url() {
                return "http://127.0.0.1:" + port;
            }

            @Override
            public void inject(Agent agent) {
                sim.close();
            }

            @Override
            public void clear(Agent agent) throws InterruptedException {
                // The port was free for the fault's few seconds; should anything else have taken it, say so.
                for (int attempt = 1; ; attempt++) {
                    try {
                        sim = newSimulator(port);
                        return;
                    } catch (RuntimeException e) {
                        if (attempt == 10) {
                            throw new IllegalStateException("port " + port + " could not be bound again (taken meanwhile?)", e);
                        }
                        Thread.sleep(200);
                    }
                }
            }

            @Override
            public void close() {
                sim.close();
            }
        };
    }

    /** WireMock answering 200, or resetting every connection (TCP RST) while the fault lasts. */
    static FaultyServer resettingConnections() {
        return new FaultyServer() {
            private WireMockServer wm;

            @Override
            public void start() {
                wm = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort()
                        .containerThreads(12).jettyAcceptors(1));
                wm.start();
                stubGood(wm);
            }

            @Override
            public String url() {
                return wm.baseUrl();
            }

            @Override
            public void inject(Agent agent) {
                wm.stubFor(get(urlPathEqualTo(SimulatedRocketChat.IMPORT_STATUS)).willReturn(aResponse()
                        .withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));
            }

            @Override
            public void clear(Agent agent) {
                stubGood(wm);
            }

            @Override
            public void close() {
                wm.stop();
            }
        };
    }

    private static void stubGood(WireMockServer wm) {
        wm.stubFor(get(urlPathEqualTo(SimulatedRocketChat.IMPORT_STATUS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(RocketChatFixtures.bytes("status-importing-slack.json"))));
    }

    /**
     * An https target (trusting the test CA) behind a forwarder: normally to WireMock over TLS
     * with that certificate; while the fault lasts to a plain-HTTP server, so the TLS handshake
     * fails (the ClientHello is answered with a plain HTTP 400).
     */
    static FaultyServer tlsHandshakeFailing() {
        return new FaultyServer() {
            private Path dir;
            private WireMockServer https;
            private TestRocketChat plain;
            private TcpForwarder forwarder;

            @Override
            public void start() throws Exception {
                dir = Files.createTempDirectory("faults-tls-");
                Path keyStore = dir.resolve("server.p12");
                KeyStore ks = TlsMaterial.serverKeyStore(resource("/tls/server-cert.pem"), resource("/tls/server-key.pem"));
                try (OutputStream out = Files.newOutputStream(keyStore)) {
                    ks.store(out, TlsMaterial.IN_MEMORY_PASSWORD);
                }
                String password = new String(TlsMaterial.IN_MEMORY_PASSWORD);
                https = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1")
                        .httpDisabled(true).dynamicHttpsPort().containerThreads(12).jettyAcceptors(1)
                        .keystorePath(keyStore.toString()).keystoreType("PKCS12")
                        .keystorePassword(password).keyManagerPassword(password));
                https.start();
                stubGood(https);
                plain = newSimulator(0);
                forwarder = TcpForwarder.start(httpsAddress());
            }

            private InetSocketAddress httpsAddress() {
                return new InetSocketAddress("127.0.0.1", https.httpsPort());
            }

            @Override
            public String url() {
                return "https://127.0.0.1:" + forwarder.port();
            }

            @Override
            public String extraTargetYaml() {
                return "    tls:\n      ca_file: " + resource("/tls/server-cert.pem") + "\n";
            }

            @Override
            public void inject(Agent agent) {
                forwarder.switchTo(new InetSocketAddress("127.0.0.1", plain.port()));
            }

            @Override
            public void clear(Agent agent) {
                forwarder.switchTo(httpsAddress());
            }

            @Override
            public void close() {
                if (forwarder != null) {
                    forwarder.close();
                }
                if (https != null) {
                    https.stop();
                }
                if (plain != null) {
                    plain.close();
                }
                deleteQuietly(dir);
            }
        };
    }

    /**
     * A host name that does not resolve ({@code .invalid} is reserved for exactly that). Nothing
     * can make a name resolve in place, so the fault is a reload that points the target at it,
     * and clearing is the reload an operator would do: back to the server.
     */
    static FaultyServer unresolvableHost() {
        return new FaultyServer() {
            private TestRocketChat sim;

            @Override
            public void start() {
                sim = newSimulator(0);
            }

            @Override
            public String url() {
                return sim.url().toString();
            }

            @Override
            public void inject(Agent agent) throws Exception {
                agent.reloadWithUrl("http://nonexistent.invalid:" + sim.port());
            }

            @Override
            public void clear(Agent agent) throws Exception {
                agent.reloadWithUrl(url());
            }

            @Override
            public void close() {
                sim.close();
            }
        };
    }

    static Path resource(String name) {
        try {
            return Path.of(FaultyServer.class.getResource(name).toURI()).toAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind
        }
    }
}
