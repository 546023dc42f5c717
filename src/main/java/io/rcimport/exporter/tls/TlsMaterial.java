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
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
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
        List<Certificate> chain;
        PrivateKey key;
        try {
            chain = certificates(certFile);
        } catch (GeneralSecurityException e) {
            throw named(certFile, e);
        }
        try {
            key = privateKey(keyFile);
        } catch (GeneralSecurityException e) {
            throw named(keyFile, e);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key, IN_MEMORY_PASSWORD, chain.toArray(new Certificate[0]));
        return ks;
    }

    /**
     * Like {@link #serverKeyStore}, and the key must be the certificate's: a renewed pair written
     * half-way (new certificate, old key) is refused here rather than at the next handshake.
     */
    public static KeyStore matchingServerKeyStore(Path certFile, Path keyFile) throws GeneralSecurityException, IOException {
        KeyStore ks = serverKeyStore(certFile, keyFile);
        Certificate leaf = ks.getCertificate("server");
        PrivateKey key = (PrivateKey) ks.getKey("server", IN_MEMORY_PASSWORD);
        if (!matches(key, leaf.getPublicKey())) {
            throw new GeneralSecurityException("the key in " + keyFile + " does not belong to the certificate in " + certFile);
        }
        return ks;
    }

    /** Signs a few bytes with the private key and checks the signature with the public one. */
    private static boolean matches(PrivateKey key, PublicKey pub) throws GeneralSecurityException {
        if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA
        };
        byte[] data = "rcie key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(data);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(pub);
        verifier.update(data);
        return verifier.verify(signature);
    }

    /** The CA certificate(s) in a PEM file as an in-memory trust store (for client certificates). */
    public static KeyStore trustStore(Path caFile) throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        List<Certificate> cas;
        try {
            cas = certificates(caFile);
        } catch (GeneralSecurityException e) {
            throw named(caFile, e);
        }
        for (Certificate c : cas) {
            trust.setCertificateEntry("ca-" + i++, c);
        }
        return trust;
    }

    /**
     * Whether one of the certificate's subject alternative names (DNS, IP, e-mail, URI) equals
     * one of {@code allowed} exactly, as exporter-toolkit's {@code client_allowed_sans}.
     */
    public static boolean hasAllowedSan(X509Certificate cert, Collection<String> allowed) throws CertificateParsingException {
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        if (sans == null) {
            return false;
        }
        for (List<?> san : sans) {
            if (san.size() >= 2 && san.get(1) instanceof String value && allowed.contains(value)) {
                return true;
            }
        }
        return false;
    }

    /** The string SANs of a certificate, for a log line. */
    public static List<String> sans(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && san.get(1) instanceof String value) {
                        out.add(value);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // none readable
        }
        return out;
    }

    /** The exception with the file's name in its message (it may come from deep in the JDK without one). */
    private static GeneralSecurityException named(Path file, GeneralSecurityException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains(file.toString()) ? e : new GeneralSecurityException(file + ": " + message, e);
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
