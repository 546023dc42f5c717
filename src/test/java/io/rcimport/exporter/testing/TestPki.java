package io.rcimport.exporter.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Certificates made at test time with the JDK's {@code keytool} (no openssl, no BouncyCastle):
 * a CA, and leaf certificates it signs, written as PEM files (certificate, PKCS#8 key) the way
 * {@code server.tls} reads them.
 */
public final class TestPki {
    private static final String PASS = "changeit";
    private final Path dir;
    private final String name;
    private final Path caStore;
    /** The CA's certificate, PEM. */
    public final Path caCert;

    private TestPki(Path dir, String name) {
        this.dir = dir;
        this.name = name;
        this.caStore = dir.resolve(name + "-ca.p12");
        this.caCert = dir.resolve(name + "-ca.pem");
    }

    /** A new CA with the common name {@code "test CA " + name}, its files in {@code dir}. */
    public static TestPki ca(Path dir, String name) throws IOException, InterruptedException {
        TestPki pki = new TestPki(dir, name);
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test CA " + name,
                "-ext", "bc:c", "-validity", "2", "-keystore", pki.caStore.toString(), "-storetype", "PKCS12",
                "-storepass", PASS, "-keypass", PASS);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", pki.caStore.toString(), "-storepass", PASS,
                "-file", pki.caCert.toString());
        return pki;
    }

    /** A key pair and a certificate for it signed by this CA; {@link Leaf#renew} signs the same key again. */
    public Leaf leaf(String leafName, String san) throws IOException, InterruptedException {
        Path store = dir.resolve(name + "-" + leafName + ".p12");
        keytool("-genkeypair", "-alias", "leaf", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + leafName,
                "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASS, "-keypass", PASS);
        Path csr = dir.resolve(name + "-" + leafName + ".csr");
        keytool("-certreq", "-alias", "leaf", "-keystore", store.toString(), "-storepass", PASS, "-file", csr.toString());
        Leaf leaf = new Leaf(this, store, csr, san, dir.resolve(name + "-" + leafName + "-cert.pem"),
                dir.resolve(name + "-" + leafName + "-key.pem"));
        leaf.sign(leaf.cert);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASS.toCharArray());
            }
            PrivateKey key = (PrivateKey) ks.getKey("leaf", PASS.toCharArray());
            Files.writeString(leaf.key, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        return leaf;
    }

    /** A leaf: its PEM certificate and key files. */
    public static final class Leaf {
        private final TestPki ca;
        private final Path store;
        private final Path csr;
        private final String san;
        public final Path cert;
        public final Path key;

        Leaf(TestPki ca, Path store, Path csr, String san, Path cert, Path key) {
            this.ca = ca;
            this.store = store;
            this.csr = csr;
            this.san = san;
            this.cert = cert;
            this.key = key;
        }

        private void sign(Path out) throws IOException, InterruptedException {
            keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.caStore.toString(), "-storepass", PASS,
                    "-infile", csr.toString(), "-outfile", out.toString(), "-validity", "2",
                    "-ext", "san=" + san, "-ext", "eku=serverAuth,clientAuth");
        }

        /** A new certificate (new serial) for the same key, written to {@code out}. */
        public Path renew(Path out) throws IOException, InterruptedException {
            sign(out);
            return out;
        }

        /** The certificate's serial number. */
        public java.math.BigInteger serial() throws IOException {
            return certificate(cert).getSerialNumber();
        }

        /**
         * A client SSL context presenting this certificate (always, whatever CAs the server
         * names) and trusting {@code serverCa}.
         */
        public SSLContext clientContext(Path serverCa) throws Exception {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASS.toCharArray());
            }
            PrivateKey pk = (PrivateKey) ks.getKey("leaf", PASS.toCharArray());
            X509Certificate[] chain = {certificate(cert)};
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new KeyManager[] {new FixedKey(pk, chain)}, trust(serverCa).getTrustManagers(), null);
            return ctx;
        }
    }

    /** A client SSL context with no certificate of its own, trusting {@code serverCa}. */
    public static SSLContext anonymousClient(Path serverCa) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, trust(serverCa).getTrustManagers(), null);
        return ctx;
    }

    private static TrustManagerFactory trust(Path ca) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", certificate(ca));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf;
    }

    public static X509Certificate certificate(Path pem) throws IOException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(e);
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.add("-noprompt");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }

    /** Presents one certificate, whichever issuers the server asks for. */
    private static final class FixedKey extends X509ExtendedKeyManager {
        private final PrivateKey key;
        private final X509Certificate[] chain;

        FixedKey(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"leaf"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return List.of(keyType).contains(key.getAlgorithm()) ? "leaf" : null;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return chooseClientAlias(keyType, issuers, null);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return chain.clone();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return key;
        }
    }
}
