package io.rcimport.exporter.status;

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

    /** The body itself, not a copy, for writing to a response: shared, never to be modified. */
    public byte[] bodyInPlace() {
        return body;
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
