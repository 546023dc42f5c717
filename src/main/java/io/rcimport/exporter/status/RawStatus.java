package io.rcimport.exporter.status;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The last good {@code import.status} body exactly as Rocket.Chat sent it, with its strong
 * ETag computed once (not per request) and the time it was fetched.
 */
public record RawStatus(byte[] body, String etag, Instant fetchedAt) {

    public static RawStatus of(byte[] body, Instant fetchedAt) {
        return new RawStatus(body.clone(), etagOf(body), fetchedAt);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body without a defensive copy, for writing it to a response. */
    public int length() {
        return body.length;
    }

    public void writeTo(java.io.OutputStream out) throws java.io.IOException {
        out.write(body);
    }

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    static String etagOf(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
