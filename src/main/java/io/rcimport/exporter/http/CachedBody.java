package io.rcimport.exporter.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * One rendered response body, shared by every request that gets it: the bytes, their content
 * type, and the same bytes gzipped, compressed once by the first request that asks and then kept.
 */
public final class CachedBody {
    /** Below this a gzipped body saves nothing worth a header (Javalin's own threshold). */
    public static final int GZIP_MIN_BYTES = 1500;

    private final String contentType;
    private final byte[] bytes;
    private final Supplier<byte[]> compress;
    private volatile byte[] gzipped;

    public CachedBody(String contentType, byte[] bytes) {
        this.contentType = contentType;
        this.bytes = bytes;
        this.compress = () -> gzip(bytes);
    }

    /** @param compress makes the gzipped form of {@code bytes} (called at most once) */
    CachedBody(String contentType, byte[] bytes, Supplier<byte[]> compress) {
        this.contentType = contentType;
        this.bytes = bytes;
        this.compress = compress;
    }

    public String contentType() {
        return contentType;
    }

    /** The body as is; shared, do not modify. */
    public byte[] bytes() {
        return bytes;
    }

    /** Whether gzip is worth it for this body. */
    public boolean compressible() {
        return bytes.length >= GZIP_MIN_BYTES;
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
