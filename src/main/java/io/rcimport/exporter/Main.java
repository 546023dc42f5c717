package io.rcimport.exporter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.ConfigException;
import io.rcimport.exporter.storage.StateFile;
import io.rcimport.exporter.config.ConfigLoader;
import io.rcimport.exporter.config.ConfigSummary;
import io.rcimport.exporter.config.ExposedSecrets;
import io.rcimport.exporter.demo.SimulatedRocketChat;
import io.rcimport.exporter.logging.LogFormat;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Command line, wiring and shutdown. No logic of its own. */
public final class Main {
    static final int OK = 0;
    static final int BAD_CONFIG = 1;
    static final int BAD_USAGE = 2;
    static final int POLL_FAILED = 3;

    static final String USAGE = """
            Usage: java -jar rocketchat-import-exporter.jar [options]

              --config FILE     configuration file (YAML), see config.yaml
              --demo            poll a built-in simulated Rocket.Chat (no server needed);
                                with --config, the file's settings are kept and its targets replaced
              --check-config    validate the configuration, print a summary, exit
              --once            poll every target once, print the status as JSON, exit
              --log-format F    text (default) or json (one object per line, for log pipelines)
              --help            this text
              --version         print the version

            Exit codes: 0 ok, 1 bad configuration, 2 bad command line, 3 (--once) a poll failed.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        useCommonPoolThreads();
        int code = run(args, System.out, System.err, System.getenv());
        if (code != OK || !keepsRunning(args)) {
            System.exit(code);
        }
    }

    static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    /**
     * The JDK's HttpClient completes every response on CompletableFuture's default executor, which,
     * where the common pool's parallelism is below 2 (machines with 1 or 2 CPUs), starts a new
     * thread per task: one thread started and ended per poll, many a second with many targets
     * (bench/README.md).
     * Two common-pool threads do the same work. Must run before CompletableFuture is first used;
     * an explicit -D setting wins.
     */
    static void useCommonPoolThreads() {
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null && Runtime.getRuntime().availableProcessors() <= 2) {
            System.setProperty(COMMON_POOL_PARALLELISM, "2");
        }
    }

    private static boolean keepsRunning(String[] args) {
        for (String a : args) {
            if (a.equals("--check-config") || a.equals("--once") || a.equals("--help") || a.equals("--version")) {
                return false;
            }
        }
        return true;
    }

    /** Parsed flags. */
    record Options(Path config, boolean demo, boolean checkConfig, boolean once, boolean help, boolean version,
                   LogFormat logFormat) {
    }

    static Options parse(String[] args) throws IllegalArgumentException {
        Path config = null;
        boolean demo = false, check = false, once = false, help = false, version = false;
        LogFormat logFormat = LogFormat.TEXT;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--config" -> {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        throw new IllegalArgumentException("--config needs a file name");
                    }
                    config = Path.of(args[++i]);
                }
                case "--demo" -> demo = true;
                case "--log-format" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--log-format needs text or json");
                    }
                    logFormat = LogFormat.parse(args[++i]);
                }
                case "--check-config" -> check = true;
                case "--once" -> once = true;
                case "--help", "-h" -> help = true;
                case "--version" -> version = true;
                default -> {
                    if (a.startsWith("--config=")) {
                        config = Path.of(a.substring("--config=".length()));
                    } else if (a.startsWith("--log-format=")) {
                        logFormat = LogFormat.parse(a.substring("--log-format=".length()));
                    } else {
                        throw new IllegalArgumentException("unknown argument: " + a);
                    }
                }
            }
        }
        if (!help && !version && config == null && !demo) {
            throw new IllegalArgumentException("--config FILE or --demo is required");
        }
        return new Options(config, demo, check, once, help, version, logFormat);
    }

    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return BAD_USAGE;
        }
        options.logFormat().apply();
        if (options.help()) {
            out.print(USAGE);
            return OK;
        }
        if (options.version()) {
            out.println("rocketchat-import-exporter " + Version.current());
            return OK;
        }
        Clock clock = Clock.systemUTC();
        Config config;
        SimulatedRocketChat demo = null;
        try {
            if (options.demo()) {
                demo = SimulatedRocketChat.startDemo(clock);
                config = DemoConfig.of(demo.url(), options.config() == null
                        ? Optional.empty()
                        : Optional.of(ConfigLoader.load(options.config(), env)));
            } else {
                config = ConfigLoader.load(options.config(), env);
            }
        } catch (ConfigException e) {
            err.println("configuration error: " + e.getMessage());
            if (demo != null) {
                demo.close();
            }
            return BAD_CONFIG;
        }
        if (options.config() != null) {
            warnAboutPlaintextSecrets(options.config(), config.targetsFile());
        }
        if (options.checkConfig()) {
            out.println("configuration OK");
            out.print(ConfigSummary.describe(config));
            closeQuietly(demo);
            return OK;
        }
        if (options.once()) {
            return once(config, clock, out, demo);
        }
        if (config.storage().path().isPresent()) {
            // Checked here, before anything starts, so that the answer is the plain configuration error.
            try {
                StateFile.open(config.storage().path().get(), clock);
            } catch (ConfigException e) {
                err.println("configuration error: " + e.getMessage());
                closeQuietly(demo);
                return BAD_CONFIG;
            }
        }
        Optional<Agent.ConfigSource> source = Optional.empty();
        if (options.config() != null) {
            Path file = options.config();
            SimulatedRocketChat simulator = demo;
            source = Optional.of(simulator == null
                    ? () -> ConfigLoader.load(file, env)
                    : () -> DemoConfig.of(simulator.url(), Optional.of(ConfigLoader.load(file, env))));
        }
        return serve(config, clock, demo, source);
    }

    /** A file other users can read should not hold credentials in plain text: say so (keys, never values). */
    private static void warnAboutPlaintextSecrets(Path configFile, Optional<Path> targetsFile) {
        Logger log = LoggerFactory.getLogger(Main.class);
        ExposedSecrets.warning(configFile).ifPresent(warning -> log.warn("{}", warning));
        targetsFile.flatMap(ExposedSecrets::warning).ifPresent(warning -> log.warn("{}", warning));
    }

    private static int once(Config config, Clock clock, PrintStream out, SimulatedRocketChat demo) {
        try {
            Agent.OncePoll poll = Agent.pollOnce(config, clock);
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(poll.status()));
            return poll.allUp() ? OK : POLL_FAILED;
        } catch (Exception e) {
            out.println("{\"error\":\"poll did not finish: " + e.getClass().getSimpleName() + "\"}");
            return POLL_FAILED;
        } finally {
            closeQuietly(demo);
        }
    }

    private static int serve(Config config, Clock clock, SimulatedRocketChat demo, Optional<Agent.ConfigSource> source) {
        Logger log = LoggerFactory.getLogger(Main.class);
        Agent agent;
        try {
            agent = Agent.start(config, clock, source);
        } catch (RuntimeException e) {
            // e.g. the port is taken: exit, so that a supervisor (Docker, Kubernetes, systemd)
            // sees it and restarts us, instead of a process that polls but serves nothing.
            log.error("event=start_failed listen={}:{} error=\"{}\"", config.server().host(), config.server().port(),
                    e.getMessage());
            closeQuietly(demo);
            return BAD_CONFIG;
        }
        log.info("event=started version={} listen={}:{} targets={} interval={}s{}", Version.current(),
                config.server().host(), agent.port(), config.ownedTargets().size(), config.poll().interval().toSeconds(),
                demo == null ? "" : " demo=" + demo.url());
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        final SimulatedRocketChat simulator = demo;
        Runnable shutdown = () -> {
            if (stopping.compareAndSet(false, true)) {
                log.info("event=stopping");
                agent.stop(Duration.ofSeconds(3));
                closeQuietly(simulator);
                log.info("event=stopped");
                stopped.countDown();
            }
        };
        // SIGTERM/SIGINT: a clean stop and exit 0 (a plain shutdown hook would exit 143).
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), sig -> {
                    shutdown.run();
                    Runtime.getRuntime().halt(OK);
                });
            } catch (IllegalArgumentException e) {
                log.debug("signal {} not available", name);
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "rcie-shutdown"));
        // SIGHUP: re-read the configuration; a bad one is logged and the running one kept.
        try {
            Signal.handle(new Signal("HUP"), sig -> agent.reloadFromSource());
        } catch (IllegalArgumentException e) {
            log.debug("signal HUP not available");
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OK;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // shutting down anyway
        }
    }
}
