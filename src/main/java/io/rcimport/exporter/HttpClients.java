package io.rcimport.exporter;

import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.rocketchat.RocketChatClient;
import io.rcimport.exporter.tls.TlsMaterial;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The agent's outgoing HTTP clients, shared by the pollers and the alert sinks: one per distinct
 * TLS setting (most targets share the default one), all on one small named executor.
 */
final class HttpClients implements AutoCloseable {
    private final Duration connectTimeout;
    private final ExecutorService executor;
    /** The key {@code Optional.empty()} is the client without TLS, for {@code http://} URLs. */
    private final Map<Optional<Config.TargetTls>, HttpClient> clients = new ConcurrentHashMap<>();

    private HttpClients(Duration connectTimeout, ExecutorService executor) {
        this.connectTimeout = connectTimeout;
        this.executor = executor;
    }

    /** @param connectTimeout the poll timeout, also the clients' connect timeout */
    static HttpClients create(Duration connectTimeout) {
        return new HttpClients(connectTimeout, Executors.newFixedThreadPool(2, new NamedThreads("rcie-http-client")));
    }

    /**
     * The client for these URLs: the one without TLS if they are all {@code http://} (a plain
     * HTTP agent then never loads the JDK's TLS stack), else the one for {@code tls}.
     */
    HttpClient clientFor(List<URI> urls, Config.TargetTls tls) {
        boolean plain = urls.stream().allMatch(u -> "http".equalsIgnoreCase(u.getScheme()));
        return clients.computeIfAbsent(plain ? Optional.empty() : Optional.of(tls), key -> {
            if (key.isEmpty()) {
                return RocketChatClient.newPlainHttpClient(connectTimeout, executor);
            }
            try {
                return RocketChatClient.newHttpClient(connectTimeout, executor, TlsMaterial.clientContext(key.get()));
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("TLS settings " + key.get() + ": " + e.getMessage(), e);
            }
        });
    }

    @Override
    public void close() {
        executor.shutdownNow();
        clients.clear();
    }
}
