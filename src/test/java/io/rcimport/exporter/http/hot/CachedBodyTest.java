package io.rcimport.exporter.http.hot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class CachedBodyTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void parts_are_the_leading_bytes_of_their_arrays_in_order() {
        CachedBody body = new CachedBody("text/plain", List.of(new CachedBody.Part(ascii("first-and-spare"), 6),
                new CachedBody.Part(ascii(""), 0), new CachedBody.Part(ascii("second"), 6)), () -> new byte[0]);

        assertEquals(12, body.length());
        assertArrayEquals(ascii("first-second"), body.bytes());
        assertSame(body.bytes(), body.bytes(), "joined once");
        assertEquals(1, body.buffers().size(), "a small body goes out in one write");
        StringBuilder sent = new StringBuilder();
        for (ByteBuffer b : body.buffers()) {
            assertTrue(b.isReadOnly());
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            sent.append(new String(chunk, StandardCharsets.US_ASCII));
        }
        assertEquals("first-second", sent.toString());
    }

    @Test
    void a_large_body_goes_out_as_its_parts_without_a_copy() {
        byte[] big = new byte[CachedBody.JOIN_BELOW_BYTES];
        byte[] small = ascii("jvm 1\n");
        CachedBody body = new CachedBody("text/plain", List.of(new CachedBody.Part(big, big.length),
                new CachedBody.Part(small, small.length)), () -> new byte[0]);

        List<ByteBuffer> buffers = body.buffers();

        assertEquals(2, buffers.size());
        assertEquals(big.length, buffers.get(0).remaining());
        assertEquals(small.length, buffers.get(1).remaining());
        assertTrue(buffers.get(0).isReadOnly() && buffers.get(1).isReadOnly());
    }

    @Test
    void gzip_is_made_once_and_only_when_asked() throws Exception {
        AtomicInteger made = new AtomicInteger();
        byte[] text = ascii("x".repeat(CachedBody.GZIP_MIN_BYTES));
        CachedBody plain = new CachedBody("text/plain", text);
        CachedBody counted = new CachedBody("text/plain", List.of(new CachedBody.Part(text, text.length)), () -> {
            made.incrementAndGet();
            return plain.gzipped();
        });

        assertFalse(counted.isGzipped());
        assertSame(counted.gzipped(), counted.gzipped());
        assertEquals(1, made.get());
        assertTrue(counted.compressible());
        assertArrayEquals(text, new GZIPInputStream(new ByteArrayInputStream(counted.gzipped())).readAllBytes());
        assertFalse(new CachedBody("text/plain", ascii("short")).compressible());
    }

    @Test
    void a_part_longer_than_its_array_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> new CachedBody.Part(new byte[3], 4));
    }
}
