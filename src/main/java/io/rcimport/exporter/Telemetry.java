package io.rcimport.exporter;

import com.sun.management.OperatingSystemMXBean;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Optional;

/**
 * The agent's two metric registries and what feeds them besides the per-target collector: the
 * circuit breakers (whose state gauge is in the contract), the JVM and process binders.
 */
final class Telemetry implements AutoCloseable {
    /** Per-target series (ours and the breakers'): move only when a poll ends, rendered cached. */
    private final PrometheusMeterRegistry importRegistry;
    /** JVM and process series: move all the time, rendered fresh. */
    private final PrometheusMeterRegistry processRegistry;
    private final CircuitBreakerRegistry breakers;
    private final JvmGcMetrics gcMetrics;
    /** Held here: Micrometer keeps only a weak reference to a function counter's object. */
    private final ProcessCpu processCpu;

    private Telemetry(PrometheusMeterRegistry importRegistry, PrometheusMeterRegistry processRegistry,
                      CircuitBreakerRegistry breakers, JvmGcMetrics gcMetrics, ProcessCpu processCpu) {
        this.importRegistry = importRegistry;
        this.processRegistry = processRegistry;
        this.breakers = breakers;
        this.gcMetrics = gcMetrics;
        this.processCpu = processCpu;
    }

    static Telemetry create() {
        PrometheusMeterRegistry process = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Two of ProcessorMetrics' names fail `promtool check metrics` (process_cpu_time_ns_total:
        // abbreviated unit; system_cpu_count: a "_count" suffix on a gauge). Drop them and export
        // the standard process_cpu_seconds_total instead.
        process.config().meterFilter(MeterFilter.deny(id ->
                id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")));
        ProcessCpu cpu = new ProcessCpu();
        FunctionCounter.builder("process.cpu", cpu, ProcessCpu::seconds)
                .baseUnit("seconds").description("CPU time used by the process")
                .register(process);
        new JvmMemoryMetrics().bindTo(process);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(process);
        new JvmThreadMetrics().bindTo(process);
        new ClassLoaderMetrics().bindTo(process);
        new ProcessorMetrics().bindTo(process);
        new UptimeMetrics().bindTo(process);
        new FileDescriptorMetrics().bindTo(process);

        PrometheusMeterRegistry imports = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Of the breaker binder's ~20 meters per target only the state is in the contract
        // (resilience4j_circuitbreaker_state{name,state}); the others repeat polls_total and
        // cost much of /metrics' size and heap with many targets (bench/README.md).
        imports.config().meterFilter(MeterFilter.deny(id ->
                id.getName().startsWith("resilience4j.circuitbreaker.") && !id.getName().equals("resilience4j.circuitbreaker.state")));
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(imports);
        return new Telemetry(imports, process, breakers, gc, cpu);
    }

    /** Where the per-target collector registers, and the cached block of {@code /metrics} comes from. */
    PrometheusRegistry importRegistry() {
        return importRegistry.getPrometheusRegistry();
    }

    /** The JVM and process block of {@code /metrics}. */
    PrometheusRegistry processRegistry() {
        return processRegistry.getPrometheusRegistry();
    }

    CircuitBreakerRegistry breakers() {
        return breakers;
    }

    /** The breaker state of a target as {@code /status} shows it: closed, open, half_open, ... or none. */
    String breakerState(String target) {
        return breakers.find(target).map(CircuitBreaker::getState).map(s -> s.name().toLowerCase(Locale.ROOT)).orElse("none");
    }

    /**
     * A target's {@code resilience4j_circuitbreaker_state} series for {@code /metrics?target=}, as
     * the breaker binder exports them (one series per state, 1 for the current one), read from the
     * breaker itself: no search over the fleet's meters. Empty without a breaker of that name.
     */
    Optional<MetricSnapshot> breakerSnapshot(String target) {
        return breakers.find(target).map(cb -> {
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("resilience4j_circuitbreaker_state")
                    .help("The states of the circuit breaker");
            for (CircuitBreaker.State s : CircuitBreaker.State.values()) {
                b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("name", target, "state", s.name().toLowerCase(Locale.ROOT)))
                        .value(cb.getState() == s ? 1 : 0).build());
            }
            return b.build();
        });
    }

    @Override
    public void close() {
        gcMetrics.close();
        processRegistry.close();
        importRegistry.close();
    }

    /** CPU seconds of this process, from the JDK's OperatingSystemMXBean. */
    private static final class ProcessCpu {
        /** Absent on a JVM without the com.sun extension: the counter then reads NaN. */
        private final Optional<OperatingSystemMXBean> os = ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean sun
                ? Optional.of(sun) : Optional.empty();

        double seconds() {
            return os.map(sun -> sun.getProcessCpuTime() / 1e9).orElse(Double.NaN);
        }
    }
}
