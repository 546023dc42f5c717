package io.rcimport.exporter.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs against a server under test, with the JDK's client, as Prometheus and scripts would send them. */
public final class Http {
    /** The {@code Accept} header Prometheus sends when it scrapes. */
    public static final String PROMETHEUS_SCRAPE_ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Http() {
    }

    /** {@code http://127.0.0.1:PORT/path}. */
    public static URI local(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /**
     * GET {@code uri} with {@code headers} as name, value pairs (a pair with a null value is left
     * out), within {@link #TIMEOUT}.
     */
    public static <T> HttpResponse<T> get(HttpClient client, URI uri, HttpResponse.BodyHandler<T> body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            if (headers[i + 1] != null) {
                request.header(headers[i], headers[i + 1]);
            }
        }
        return client.send(request.build(), body);
    }

    /** The same, the body as text. */
    public static HttpResponse<String> get(HttpClient client, URI uri, String... headers) throws IOException, InterruptedException {
        return get(client, uri, HttpResponse.BodyHandlers.ofString(), headers);
    }
}
