package io.rcimport.exporter.demo;

import java.time.Instant;
import java.util.random.RandomGenerator;

/** Identifiers shaped like Rocket.Chat's. */
final class Ids {
    /** Meteor's {@code Random.id()} alphabet: no look-alike characters. */
    private static final String UNMISTAKABLE = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz";
    private static final String TOKEN_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private Ids() {
    }

    /** A 17-character Meteor id, e.g. {@code MJxTRZsYdho8Ww2qq}. */
    static String meteorId(RandomGenerator random) {
        return randomString(random, UNMISTAKABLE, 17);
    }

    /** A 24-hex MongoDB ObjectId whose first 8 digits are the creation time in seconds. */
    static String objectId(Instant createdAt, RandomGenerator random) {
        return String.format("%08x%08x%08x", createdAt.getEpochSecond() & 0xffffffffL,
                random.nextInt() & 0xffffffffL, random.nextInt() & 0xffffffffL);
    }

    /** A 43-character login token like {@code Accounts._generateStampedLoginToken()} makes. */
    static String authToken(RandomGenerator random) {
        return randomString(random, TOKEN_CHARS, 43);
    }

    private static String randomString(RandomGenerator random, String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
