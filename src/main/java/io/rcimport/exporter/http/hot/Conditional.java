package io.rcimport.exporter.http.hot;

import io.rcimport.exporter.status.RawStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

/** The request headers that decide how a cached body is sent: {@code Accept-Encoding}, {@code If-None-Match}, and {@code Age}. */
public final class Conditional {
    private Conditional() {
    }

    /**
     * Whether {@code Accept-Encoding} allows gzip: named without {@code q=0}, or, when gzip is not
     * named, {@code *} without {@code q=0}.
     */
    public static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        boolean gzipNamed = false, gzipAccepted = false, starNamed = false, starAccepted = false;
        for (String part : acceptEncoding.split(",")) {
            String[] fields = part.split(";");
            String coding = fields[0].trim();
            boolean gzip = coding.equalsIgnoreCase("gzip");
            if (!gzip && !coding.equals("*")) {
                continue;
            }
            boolean accepted = true;
            for (int i = 1; i < fields.length; i++) {
                String param = fields[i].trim().toLowerCase(Locale.ROOT).replace(" ", "");
                if (param.startsWith("q=")) {
                    try {
                        accepted = Double.parseDouble(param.substring(2)) > 0;
                    } catch (NumberFormatException e) {
                        accepted = false;
                    }
                }
            }
            if (gzip) {
                gzipNamed = true;
                gzipAccepted = accepted;
            } else {
                starNamed = true;
                starAccepted = accepted;
            }
        }
        return gzipNamed ? gzipAccepted : starNamed && starAccepted;
    }

    /** Whether {@code If-None-Match} names {@code etag} (weakly or not) or is {@code *}. */
    static boolean etagMatches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    /** Whole seconds since the body was fetched, for {@code Age}. */
    static long ageSeconds(RawStatus r, Clock clock) {
        return Math.max(0, Duration.between(r.fetchedAt(), clock.instant()).getSeconds());
    }
}
