package io.rcimport.exporter.http.hot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GzipPartsTest {

    /** Text that compresses like /metrics, or random bytes that do not compress (output larger than the 16 KiB buffer). */
    private static byte[] data(int length, boolean random, long seed) {
        byte[] b = new byte[length];
        if (random) {
            new Random(seed).nextBytes(b);
            return b;
        }
        byte[] line = ("rocketchat_import_records{target=\"t" + seed + "\"} 18250\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < length; i++) {
            b[i] = line[i % line.length];
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @ParameterizedTest
    @CsvSource({"0, 0, false", "0, 500, false", "500, 0, false", "4000000, 12000, false", "100000, 70000, true", "1, 1, true"})
    void the_parts_make_one_gzip_member_that_any_reader_inflates_to_the_whole(int firstLength, int secondLength, boolean random)
            throws IOException, DataFormatException {
        byte[] first = data(firstLength, random, 1);
        byte[] second = data(secondLength, random, 2);
        byte[] whole = concat(first, second);

        byte[] gzip = GzipParts.gzip(GzipParts.deflateOpen(first, 0, first.length),
                GzipParts.deflateFinal(second, 0, second.length),
                List.of(new CachedBody.Part(first, first.length), new CachedBody.Part(second, second.length)));

        assertArrayEquals(whole, new GZIPInputStream(new ByteArrayInputStream(gzip)).readAllBytes(),
                "GZIPInputStream checks the CRC-32 and the length in the trailer");
        // One member: the deflate stream between the 10-byte header and the 8-byte trailer ends exactly there.
        Inflater inflater = new Inflater(true);
        inflater.setInput(gzip, 10, gzip.length - 18);
        byte[] out = new byte[whole.length + 1];
        int n = 0;
        while (!inflater.finished()) {
            int got = inflater.inflate(out, n, out.length - n);
            assertTrue(got > 0 || inflater.finished(), "inflating makes progress");
            n += got;
        }
        assertEquals(whole.length, n);
        assertEquals(0, inflater.getRemaining(), "nothing after the final deflate block but the trailer");
        inflater.end();
    }

    @ParameterizedTest
    @CsvSource({"0, 10", "3, 7"})
    void a_part_can_be_a_slice_of_a_larger_buffer(int offset, int length) throws IOException {
        byte[] buffer = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] first = Arrays.copyOfRange(buffer, offset, offset + length);
        byte[] second = "tail".getBytes(StandardCharsets.US_ASCII);

        byte[] gzip = GzipParts.gzip(GzipParts.deflateOpen(buffer, offset, length),
                GzipParts.deflateFinal(second, 0, second.length),
                List.of(new CachedBody.Part(concat(first, second), first.length + second.length)));

        assertArrayEquals(concat(first, second), new GZIPInputStream(new ByteArrayInputStream(gzip)).readAllBytes());
    }
}
