package io.rcimport.exporter.tls;

import io.rcimport.exporter.config.Config;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * PEM files to JSSE objects, with the JDK only: trust for a target (its own CA bundle, or none
 * at all when explicitly asked), and the agent's own server certificate and key.
 */
public final class TlsMaterial {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    /** A password for in-memory key stores only; they never touch the disk. */
    public static final char[] IN_MEMORY_PASSWORD = "in-memory".toCharArray();

    private TlsMaterial() {
    }

    /** The SSL context for polling a target: the JDK's defaults, a CA bundle, or no verification. */
    public static SSLContext clientContext(Config.TargetTls tls) throws GeneralSecurityException, IOException {
        if (tls.insecureSkipVerify()) {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new TrustEverything()}, null);
            return ctx;
        }
        if (tls.caFile().isEmpty()) {
            return SSLContext.getDefault();
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (Certificate c : certificates(tls.caFile().get())) {
            trust.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** The agent's server certificate chain and key as an in-memory key store. */
    public static KeyStore serverKeyStore(Path certFile, Path keyFile) throws GeneralSecurityException, IOException {
        List<Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key, IN_MEMORY_PASSWORD, chain.toArray(new Certificate[0]));
        return ks;
    }

    static List<Certificate> certificates(Path file) throws GeneralSecurityException, IOException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<Certificate> out = new ArrayList<>();
        for (String[] block : blocks(file)) {
            if (block[0].equals("CERTIFICATE")) {
                out.add(cf.generateCertificate(new ByteArrayInputStream(Base64.getMimeDecoder().decode(block[1]))));
            }
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException(file + " holds no certificate");
        }
        return out;
    }

    /** PKCS#8 {@code PRIVATE KEY} (RSA, EC, Ed25519) or PKCS#1 {@code RSA PRIVATE KEY}. */
    static PrivateKey privateKey(Path file) throws GeneralSecurityException, IOException {
        for (String[] block : blocks(file)) {
            byte[] der = Base64.getMimeDecoder().decode(block[1]);
            if (block[0].equals("RSA PRIVATE KEY")) {
                return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Pkcs1.toPkcs8(der)));
            }
            if (block[0].equals("PRIVATE KEY")) {
                PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
                for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
                    try {
                        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
                    } catch (GeneralSecurityException e) {
                        // try the next algorithm
                    }
                }
                throw new GeneralSecurityException(file + ": unsupported private key algorithm");
            }
            if (block[0].equals("EC PRIVATE KEY")) {
                throw new GeneralSecurityException(file + ": convert the EC key to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in KEY.pem -out KEY-pkcs8.pem");
            }
        }
        throw new GeneralSecurityException(file + " holds no private key");
    }

    private static List<String[]> blocks(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        List<String[]> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2)});
        }
        return out;
    }

    /**
     * Accepts any certificate for any host name ({@code insecure_skip_verify}). JSSE checks the
     * host name inside the trust manager, so this skips that too.
     */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
