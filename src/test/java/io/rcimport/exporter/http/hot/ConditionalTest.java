package io.rcimport.exporter.http.hot;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConditionalTest {
    @Test
    void accept_encoding_allows_gzip_when_named_or_starred_without_q_zero() {
        assertTrue(Conditional.acceptsGzip("gzip"));
        assertTrue(Conditional.acceptsGzip("deflate, GZIP;q=0.5"));
        assertTrue(Conditional.acceptsGzip("*"));
        assertFalse(Conditional.acceptsGzip(null));
        assertFalse(Conditional.acceptsGzip("identity"));
        assertFalse(Conditional.acceptsGzip("gzip;q=0"));
        assertFalse(Conditional.acceptsGzip("gzip; q=0.0, br"));
        assertFalse(Conditional.acceptsGzip("gzip;q=0, *"));
        assertTrue(Conditional.acceptsGzip("*;q=0, gzip"));
        assertFalse(Conditional.acceptsGzip("*;q=0"));
    }
}
