package io.rcimport.exporter.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The recorded Rocket.Chat bodies under {@code src/test/resources/fixtures/}. */
public final class RocketChatFixtures {
    private RocketChatFixtures() {
    }

    public static byte[] bytes(String name) {
        try (InputStream in = RocketChatFixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }
}
