package io.rcimport.exporter.http.hot;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip body made of a large part that is compressed once and reused, and a small part that
 * changes more often: {@code /metrics} with many targets is a 4 MB block of per-target series,
 * rendered when polls end, followed by a small block of JVM series that moves every second.
 * Re-compressing all of it each time the small block moves cost more than the rendering itself.
 *
 * <p>The large part is compressed as raw deflate ending with a sync flush, which leaves the
 * stream at a byte boundary with no final block; the small part is compressed as a raw deflate
 * stream of its own and finished; together they are one valid deflate stream, wrapped here in a
 * single gzip member (RFC 1952) with the CRC-32 and length of the whole. Any gzip reader reads
 * it: it is not a multi-member file.
 */
final class GzipParts {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, 0};

    private GzipParts() {
    }

    /** {@code bytes[offset, offset + length)} as raw deflate, ended by a sync flush (more may follow). */
    static byte[] deflateOpen(byte[] bytes, int offset, int length) {
        return deflate(bytes, offset, length, false);
    }

    /** {@code bytes[offset, offset + length)} as raw deflate with a final block (nothing may follow). */
    static byte[] deflateFinal(byte[] bytes, int offset, int length) {
        return deflate(bytes, offset, length, true);
    }

    /**
     * One gzip member of {@code whole} (its parts one after the other), whose first part was
     * compressed by {@link #deflateOpen} into {@code openPart} and whose rest by
     * {@link #deflateFinal} into {@code finalPart}.
     */
    static byte[] gzip(byte[] openPart, byte[] finalPart, List<CachedBody.Part> whole) {
        CRC32 crc = new CRC32();
        long length = 0;
        for (CachedBody.Part p : whole) {
            crc.update(p.array(), 0, p.length());
            length += p.length();
        }
        byte[] out = new byte[HEADER.length + openPart.length + finalPart.length + 8];
        System.arraycopy(HEADER, 0, out, 0, HEADER.length);
        System.arraycopy(openPart, 0, out, HEADER.length, openPart.length);
        System.arraycopy(finalPart, 0, out, HEADER.length + openPart.length, finalPart.length);
        int t = out.length - 8;
        putIntLittleEndian(out, t, (int) crc.getValue());
        putIntLittleEndian(out, t + 4, (int) length); // ISIZE: the length modulo 2^32
        return out;
    }

    private static byte[] deflate(byte[] bytes, int offset, int length, boolean last) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(bytes, offset, length);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, length / 6));
            byte[] buffer = new byte[16 * 1024];
            if (last) {
                deflater.finish();
                while (!deflater.finished()) {
                    out.write(buffer, 0, deflater.deflate(buffer));
                }
            } else {
                int n;
                do { // a sync flush is complete when it leaves room in the buffer
                    n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
                    out.write(buffer, 0, n);
                } while (n == buffer.length || !deflater.needsInput());
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static void putIntLittleEndian(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }
}
