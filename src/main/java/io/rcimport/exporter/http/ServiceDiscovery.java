package io.rcimport.exporter.http;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code GET /sd}: Prometheus' http_sd list, one group per target this agent polls, each
 * {@code {"targets": ["<address of this agent>"], "labels": {"__param_target": "<name>", ...its labels}}}.
 * Prometheus then scrapes {@code /metrics?target=<name>} of this agent once per target, so every
 * workspace has its own {@code up}, {@code instance} and relabelling.
 *
 * <p>The address is the host and port of {@code alerting.external_url} when set (and its path,
 * if any, as {@code __metrics_path__}), else the request's {@code Host} header: the address the
 * asking Prometheus reached the agent at.
 */
public final class ServiceDiscovery {
    private final Supplier<List<String>> targets;
    private final Function<String, Map<String, String>> labels;
    private final Optional<URI> externalUrl;

    /**
     * @param targets     the names this agent polls, in configuration order (read per request: a reload may change them)
     * @param labels      a target's configured labels
     * @param externalUrl {@code alerting.external_url}
     */
    public ServiceDiscovery(Supplier<List<String>> targets, Function<String, Map<String, String>> labels, Optional<URI> externalUrl) {
        this.targets = targets;
        this.labels = labels;
        this.externalUrl = externalUrl;
    }

    /** The groups, ready for Jackson; {@code host}: the request's {@code Host} header (used without an external URL). */
    public List<Map<String, Object>> groups(String host) {
        String address = externalUrl.map(ServiceDiscovery::hostPort).orElse(host);
        Optional<String> metricsPath = externalUrl.map(URI::getRawPath)
                .filter(p -> !p.isEmpty() && !p.equals("/"))
                .map(p -> (p.endsWith("/") ? p.substring(0, p.length() - 1) : p) + "/metrics");
        return targets.get().stream().map(name -> {
            Map<String, String> l = new LinkedHashMap<>();
            l.put("__param_target", name);
            metricsPath.ifPresent(p -> l.put("__metrics_path__", p));
            l.putAll(labels.apply(name));
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("targets", List.of(address));
            group.put("labels", l);
            return group;
        }).toList();
    }

    /** {@code host:port}; the scheme's default port when the URL has none. */
    static String hostPort(URI url) {
        int port = url.getPort() >= 0 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        return url.getHost() + ":" + port;
    }
}
