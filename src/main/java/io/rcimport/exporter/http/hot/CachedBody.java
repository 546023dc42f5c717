package io.rcimport.exporter.http.hot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * One rendered response body, shared by every request that gets it: its content type, the bytes
 * (in one or more parts, sent one after the other, so that a large part rendered once is not
 * copied into every new body that follows it with a small one), and the same bytes gzipped,
 * compressed once by the first request that asks and then kept.
 */
public final class CachedBody {
    /** Below this a gzipped body saves nothing worth a header (Javalin's own threshold). */
    public static final int GZIP_MIN_BYTES = 1500;
    /** Bodies shorter than this are sent from one joined array (see {@link #buffers()}). */
    static final int JOIN_BELOW_BYTES = 256 * 1024;

    /** The first {@code length} bytes of {@code array}: shared, never modified. */
    record Part(byte[] array, int length) {
        Part {
            if (length < 0 || length > array.length) {
                throw new IllegalArgumentException("part length " + length + " of an array of " + array.length);
            }
        }
    }

    private final String contentType;
    private final List<Part> parts;
    private final int length;
    private final Supplier<byte[]> compress;
    private volatile byte[] joined;
    private volatile byte[] gzipped;

    public CachedBody(String contentType, byte[] bytes) {
        this.contentType = contentType;
        this.parts = List.of(new Part(bytes, bytes.length));
        this.length = bytes.length;
        this.joined = bytes;
        this.compress = () -> gzip(bytes);
    }

    /** @param compress makes the gzipped form of the parts together (called at most once) */
    CachedBody(String contentType, List<Part> parts, Supplier<byte[]> compress) {
        this.contentType = contentType;
        this.parts = List.copyOf(parts);
        this.length = Math.toIntExact(parts.stream().mapToLong(Part::length).sum());
        this.compress = compress;
    }

    public String contentType() {
        return contentType;
    }

    /** The length of the body in bytes. */
    public int length() {
        return length;
    }

    /** The body as is, in one array (joined on first use when it has several parts); shared, do not modify. */
    public byte[] bytes() {
        byte[] b = joined;
        if (b == null) {
            b = new byte[length];
            int at = 0;
            for (Part p : parts) {
                System.arraycopy(p.array(), 0, b, at, p.length());
                at += p.length();
            }
            joined = b;
        }
        return b;
    }

    /**
     * The body as read-only buffers, to be written one after the other: the parts of a large body
     * (copying megabytes into a new array for each new small part would cost more than a second
     * write), a small body joined once into one buffer (one write is cheaper than two).
     */
    List<ByteBuffer> buffers() {
        if (parts.size() == 1 || length < JOIN_BELOW_BYTES) {
            return List.of(ByteBuffer.wrap(bytes()).asReadOnlyBuffer());
        }
        return parts.stream().map(p -> ByteBuffer.wrap(p.array(), 0, p.length()).asReadOnlyBuffer()).toList();
    }

    /** Whether gzip is worth it for this body. */
    public boolean compressible() {
        return length >= GZIP_MIN_BYTES;
    }

    /** The body gzipped (compressed once, by the first caller; others wait for it); shared, do not modify. */
    public byte[] gzipped() {
        byte[] g = gzipped;
        if (g == null) {
            synchronized (this) {
                g = gzipped;
                if (g == null) {
                    g = compress.get();
                    gzipped = g;
                }
            }
        }
        return g;
    }

    /** Whether some request asked for the gzipped bytes already. */
    public boolean isGzipped() {
        return gzipped != null;
    }

    /**
     * Compresses this body now if its predecessor (may be null) was asked for gzipped: its readers
     * ask for gzip, so the renderer compresses while they still get the predecessor.
     */
    void gzipIfAskedOf(CachedBody previous) {
        if (previous != null && previous.isGzipped()) {
            gzipped();
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, bytes.length / 6));
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("gzip into memory", e);
        }
        return out.toByteArray();
    }
}
