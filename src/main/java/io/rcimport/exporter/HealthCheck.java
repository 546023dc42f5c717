package io.rcimport.exporter;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * A container health check that needs no curl or wget: GET a URL, exit 0 on HTTP 200 and 1 on
 * anything else (another status, a timeout, a refused connection, a bad argument).
 *
 * <pre>java -cp rocketchat-import-exporter.jar io.rcimport.exporter.HealthCheck http://127.0.0.1:9467/health</pre>
 *
 * <p>It uses only the JDK: no logging set up, no configuration read, no other class of the agent
 * loaded, so it starts fast and cannot fail for reasons of its own. Exit code 1 is the only
 * failure code because Docker's HEALTHCHECK reserves 2. Redirects are not followed: a redirect
 * is not a healthy answer.
 */
public final class HealthCheck {
    static final String DEFAULT_URL = "http://127.0.0.1:9467/health";
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private HealthCheck() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.err, TIMEOUT));
    }

    /** Checks the URL in {@code args} (or {@link #DEFAULT_URL}); says why on {@code err} when it fails. */
    static int run(String[] args, PrintStream err, Duration timeout) {
        if (args.length > 1) {
            err.println("usage: HealthCheck [URL]   (default " + DEFAULT_URL + ")");
            return 1;
        }
        URI uri;
        try {
            uri = URI.create(args.length == 1 ? args[0] : DEFAULT_URL);
        } catch (IllegalArgumentException e) {
            err.println("unhealthy: not a URL: " + args[0]);
            return 1;
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
                || uri.getHost() == null) {
            err.println("unhealthy: expected an http:// or https:// URL with a host, got " + uri);
            return 1;
        }
        return check(uri, timeout, err);
    }

    static int check(URI uri, Duration timeout, PrintStream err) {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        try {
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return 0;
            }
            err.println("unhealthy: GET " + uri + " answered HTTP " + status);
            return 1;
        } catch (HttpTimeoutException e) {
            err.println("unhealthy: GET " + uri + " timed out after " + timeout.toMillis() + " ms");
            return 1;
        } catch (IOException e) {
            err.println("unhealthy: GET " + uri + " failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("unhealthy: interrupted");
            return 1;
        }
    }
}
