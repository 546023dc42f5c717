package io.rcimport.exporter.http.hot;

import java.util.Map;

/**
 * What a hot read answers, computed once and written by whichever transport asked: a cached body,
 * "not modified", or a problem (a JSON error, failures included). Headers are in the order they
 * are written; the content headers ({@code Content-Type}, {@code Content-Length},
 * {@code Content-Encoding}) are the writer's, from the body.
 */
public sealed interface Answer permits Answer.Body, Answer.NotModified, Answer.Problem {
    String JSON_TYPE = "application/json";

    int status();

    Map<String, String> headers();

    /** 200 with {@code body}, sent gzipped when {@code gzip}. */
    record Body(CachedBody body, boolean gzip, Map<String, String> headers) implements Answer {
        @Override
        public int status() {
            return 200;
        }
    }

    /** 304: the client's copy is current. */
    record NotModified(Map<String, String> headers) implements Answer {
        @Override
        public int status() {
            return 304;
        }
    }

    /** An error status with a JSON body ({@link #JSON_TYPE}), gzipped when {@code gzip}. */
    record Problem(int status, CachedBody body, boolean gzip, Map<String, String> headers) implements Answer {
    }
}
