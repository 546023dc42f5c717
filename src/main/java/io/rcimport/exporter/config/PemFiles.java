package io.rcimport.exporter.config;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that a configured PEM file holds what its key promises, so that a swapped, encrypted or
 * DER-encoded file fails {@code --check-config} rather than the first TLS handshake. Certificates
 * are parsed; a private key is only recognised by its PEM label (unencrypted PKCS#8
 * {@code PRIVATE KEY}, or the traditional {@code RSA PRIVATE KEY}); whether it matches
 * the certificate is left to the TLS setup. Messages never contain the file's content.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final String CERTIFICATE = "CERTIFICATE";

    private PemFiles() {
    }

    private record Block(String label, String body) {
    }

    /** At least one X.509 certificate (a server certificate and its chain, or trusted CAs). */
    static void requireCertificates(String key, Path file) throws ConfigException {
        List<Block> blocks = blocks(key, file);
        int certificates = 0;
        for (Block block : blocks) {
            if (!block.label().equals(CERTIFICATE)) {
                continue;
            }
            certificates++;
            try {
                byte[] der = Base64.getMimeDecoder().decode(block.body());
                CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
            } catch (IllegalArgumentException | CertificateException e) {
                throw new ConfigException(key, "certificate " + certificates + " in " + file + " is not a valid X.509 certificate");
            }
        }
        if (certificates == 0) {
            boolean privateKey = blocks.stream().anyMatch(b -> b.label().endsWith("PRIVATE KEY"));
            throw new ConfigException(key, file + " holds no certificate (-----BEGIN CERTIFICATE-----)"
                    + (privateKey ? "; it holds a private key: are cert_file and key_file swapped?" : ""));
        }
    }

    /** An unencrypted private key. */
    static void requirePrivateKey(String key, Path file) throws ConfigException {
        List<Block> blocks = blocks(key, file);
        for (Block block : blocks) {
            String label = block.label();
            if (label.equals("ENCRYPTED PRIVATE KEY") || label.endsWith("PRIVATE KEY") && block.body().contains("Proc-Type: 4,ENCRYPTED")) {
                throw new ConfigException(key, "the private key in " + file + " is encrypted, which is not supported; "
                        + "decrypt it with: openssl pkey -in KEY.pem -out KEY-plain.pem");
            }
            if (label.equals("PRIVATE KEY") || label.equals("RSA PRIVATE KEY")) {
                return;
            }
            if (label.equals("EC PRIVATE KEY")) {
                throw new ConfigException(key, "the EC key in " + file + " is in the traditional form; convert it to PKCS#8 with: "
                        + "openssl pkcs8 -topk8 -nocrypt -in KEY.pem -out KEY-pkcs8.pem");
            }
        }
        boolean certificate = blocks.stream().anyMatch(b -> b.label().equals(CERTIFICATE));
        throw new ConfigException(key, file + " holds no private key (-----BEGIN PRIVATE KEY-----)"
                + (certificate ? "; it holds a certificate: are cert_file and key_file swapped?" : ""));
    }

    private static List<Block> blocks(String key, Path file) throws ConfigException {
        // PEM is ASCII; ISO-8859-1 maps any other byte to one char, so a binary file cannot fail decoding.
        String text = new String(ConfigFiles.readBytes(key, "file", file, ConfigFiles.MAX_PEM_BYTES), StandardCharsets.ISO_8859_1);
        List<Block> blocks = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            blocks.add(new Block(matcher.group(1), matcher.group(2)));
        }
        if (blocks.isEmpty()) {
            throw new ConfigException(key, file + " is not a PEM file (no -----BEGIN ...----- / -----END ...----- block)"
                    + (text.isBlank() ? "; it is empty" : "; a binary (DER) file must be converted to PEM with openssl"));
        }
        return blocks;
    }
}
