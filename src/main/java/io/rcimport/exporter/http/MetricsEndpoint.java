package io.rcimport.exporter.http;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Renders the registry in the format the {@code Accept} header asks for (Prometheus text,
 * OpenMetrics, or protobuf), as bytes, with that format's exact content type.
 */
public final class MetricsEndpoint {
    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();

    /** One rendering: its content type and the bytes. */
    public record Rendered(String contentType, byte[] body) {
    }

    public MetricsEndpoint(PrometheusRegistry registry) {
        this.registry = registry;
    }

    public Rendered render(String accept) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, registry.scrape());
        return new Rendered(writer.getContentType(), out.toByteArray());
    }
}
