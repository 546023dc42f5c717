package io.rcimport.exporter.http;

import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.tls.TlsMaterial;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CRL;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code server.tls} as Jetty's {@link SslContextFactory.Server}, kept in step with its files:
 * every {@link #POLL} the certificate, key and client CA files are read and hashed; when the
 * content changed and the new files are good (parsable, key matching the certificate), the
 * factory is {@linkplain SslContextFactory#reload reloaded}, which new connections use while
 * open ones keep theirs. Bad new files are logged once (WARN, naming the file, never their
 * content) and the previous material stays in use. A bad state is only reported when it is
 * still there one poll later, so a renewal written file by file is not reported.
 */
final class ServerCertificates implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCertificates.class);
    static final Duration POLL = Duration.ofSeconds(2);

    private final Config.ServerTls tls;
    private final Factory ssl;
    private final Duration interval;
    private String applied;
    private String pending;
    private String warned;
    private ScheduledExecutorService timer;

    private ServerCertificates(Config.ServerTls tls, Duration interval) {
        this.tls = tls;
        this.interval = interval;
        this.ssl = new Factory(tls.clientAllowedSans());
    }

    /** The factory over the files as they are now; a problem with them is a startup error naming {@code server.tls}. */
    static ServerCertificates load(Config.ServerTls tls, Duration interval) {
        ServerCertificates c = new ServerCertificates(tls, interval);
        String fingerprint = c.fingerprint();
        Material m;
        try {
            m = c.read();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("server.tls: " + e.getMessage(), e);
        }
        m.applyTo(c.ssl);
        c.applied = fingerprint;
        c.ssl.setKeyStorePassword(new String(TlsMaterial.IN_MEMORY_PASSWORD));
        c.ssl.setIncludeProtocols("TLSv1.2", "TLSv1.3");
        c.ssl.setNeedClientAuth(tls.clientAuthType() == Config.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT);
        return c;
    }

    SslContextFactory.Server factory() {
        return ssl;
    }

    /** Starts watching the files, on a daemon thread of its own. */
    synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rcie-tls-reload");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                check();
            } catch (RuntimeException e) {
                LOG.error("event=tls_reload_failed msg=\"checking the server TLS files failed\"", e);
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** One look at the files; true when new material was loaded. */
    synchronized boolean check() {
        String fingerprint = fingerprint();
        if (fingerprint.equals(applied)) {
            pending = null;
            return false;
        }
        Material m;
        try {
            m = read();
        } catch (GeneralSecurityException | IOException e) {
            if (fingerprint.equals(warned)) {
                return false;
            }
            if (!fingerprint.equals(pending)) {
                pending = fingerprint; // perhaps half-way through a renewal: look again next time
                return false;
            }
            warned = fingerprint;
            LOG.warn("event=tls_reload_refused msg=\"new server TLS files are not usable, the previous certificate is still served: {}\"",
                    e.getMessage());
            return false;
        }
        try {
            ssl.reload(f -> m.applyTo((Factory) f));
        } catch (Exception e) {
            LOG.warn("event=tls_reload_refused msg=\"reloading the server TLS material failed, the previous certificate is still served: {}\"",
                    e.getMessage());
            warned = fingerprint;
            return false;
        }
        applied = fingerprint;
        pending = null;
        warned = null;
        LOG.info("event=tls_reloaded cert_file={} serial={} not_after={} msg=\"new server TLS material in use for new connections\"",
                tls.certFile(), m.leaf().getSerialNumber().toString(16), m.leaf().getNotAfter().toInstant());
        return true;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    private List<Path> files() {
        List<Path> files = new ArrayList<>(List.of(tls.certFile(), tls.keyFile()));
        tls.clientCaFile().ifPresent(files::add);
        return files;
    }

    /** A hash over the files' content (never logged); an unreadable file has a fingerprint of its own. */
    private String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path file : files()) {
                try {
                    byte[] bytes = Files.readAllBytes(file);
                    sha.update(Integer.toString(bytes.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    sha.update((byte) 0);
                    sha.update(bytes);
                } catch (IOException e) {
                    return "unreadable " + file + " " + e.getClass().getSimpleName();
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Material read() throws GeneralSecurityException, IOException {
        KeyStore keys = TlsMaterial.matchingServerKeyStore(tls.certFile(), tls.keyFile());
        Optional<KeyStore> trust = Optional.empty();
        if (tls.clientCaFile().isPresent()) {
            trust = Optional.of(TlsMaterial.trustStore(tls.clientCaFile().get()));
        }
        return new Material(keys, trust, (X509Certificate) keys.getCertificate("server"));
    }

    private record Material(KeyStore keys, Optional<KeyStore> trust, X509Certificate leaf) {
        void applyTo(Factory f) {
            f.setKeyStore(keys);
            trust.ifPresent(f::setTrustStore);
        }
    }

    /** Jetty's factory with {@code client_allowed_sans} checked in the trust manager, so a refused client fails the handshake. */
    private static final class Factory extends SslContextFactory.Server {
        private final List<String> allowedSans;
        /** Refused client certificates already logged (subject and SANs), a bounded number. */
        private final Set<String> reported = ConcurrentHashMap.newKeySet();

        Factory(List<String> allowedSans) {
            this.allowedSans = allowedSans;
        }

        @Override
        protected TrustManager[] getTrustManagers(KeyStore trustStore, Collection<? extends CRL> crls) throws Exception {
            TrustManager[] managers = super.getTrustManagers(trustStore, crls);
            if (allowedSans.isEmpty() || managers == null) {
                return managers;
            }
            TrustManager[] out = new TrustManager[managers.length];
            for (int i = 0; i < managers.length; i++) {
                out[i] = managers[i] instanceof X509ExtendedTrustManager x ? new AllowedSans(x, allowedSans, reported) : managers[i];
            }
            return out;
        }
    }

    /** The CA check first, then one SAN of the client's certificate must be in the list. */
    private static final class AllowedSans extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final List<String> allowed;
        private final Set<String> reported;

        AllowedSans(X509ExtendedTrustManager delegate, List<String> allowed, Set<String> reported) {
            this.delegate = delegate;
            this.allowed = allowed;
            this.reported = reported;
        }

        private void checkSans(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !TlsMaterial.hasAllowedSan(chain[0], allowed)) {
                List<String> sans = chain == null || chain.length == 0 ? List.of() : TlsMaterial.sans(chain[0]);
                String subject = chain == null || chain.length == 0 ? "(none)" : chain[0].getSubjectX500Principal().getName();
                if (reported.size() < 100 && reported.add(subject + sans)) {
                    LOG.warn("event=client_refused subject=\"{}\" sans={} msg=\"client certificate has none of server.tls.client_allowed_sans; "
                            + "the TLS handshake is refused (logged once per certificate subject)\"", subject, sans);
                }
                throw new CertificateException("client certificate has none of the allowed SANs");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
            checkSans(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
            checkSans(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
            checkSans(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
