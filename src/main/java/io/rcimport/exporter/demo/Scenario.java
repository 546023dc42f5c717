package io.rcimport.exporter.demo;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link ImportSimulation} behaves: sizes, speeds and how often things go wrong.
 * Probabilities are per operation; one draw picks at most one of failure, stall and restart.
 *
 * @param firstOperationAfter      how long the server reports {@code state: none} at first
 * @param stepDuration             time spent in a step that does no counting (new, uploading, finishing, …)
 * @param readyDuration            time in {@code importer_user_selection} before the import runs
 * @param pauseBetweenOperations   after done, failure or restart: time until the next operation replaces it
 * @param users                    users per Slack/CSV operation (API operations import twice as many)
 * @param channels                 channels per Slack/CSV operation
 * @param messages                 messages per Slack/CSV operation
 * @param stagingPerSecond         records staged per second while preparing
 * @param usersPerSecond           users imported per second
 * @param channelsPerSecond        channels imported per second
 * @param messagesPerSecond        messages imported per second
 * @param errorRate                share of imported records counted in {@code count.error}
 * @param skipRate                 share of users that already exist: processed, but counted nowhere
 * @param slackShare               share of operations that are Slack imports
 * @param csvShare                 share of operations that are CSV imports (the rest use the REST API)
 * @param failureProbability       the import fails with {@code importer_import_failed}
 * @param stallProbability         the import stops writing for {@code stallDuration}
 * @param stallThenFailProbability given a stall: it ends in failure rather than resuming
 * @param restartProbability       a server restart invalidates the import ({@code valid: false})
 * @param stallDuration            how long a stall lasts
 */
public record Scenario(
        Duration firstOperationAfter,
        Duration stepDuration,
        Duration readyDuration,
        Duration pauseBetweenOperations,
        Range users,
        Range channels,
        Range messages,
        double stagingPerSecond,
        double usersPerSecond,
        double channelsPerSecond,
        double messagesPerSecond,
        double errorRate,
        double skipRate,
        double slackShare,
        double csvShare,
        double failureProbability,
        double stallProbability,
        double stallThenFailProbability,
        double restartProbability,
        Duration stallDuration) {

    /** An inclusive range of sizes. */
    public record Range(int min, int max) {
        public Range {
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("bad range [" + min + ", " + max + "]");
            }
        }
    }

    public Scenario {
        requireNonNegative("firstOperationAfter", firstOperationAfter);
        requireNonNegative("stepDuration", stepDuration);
        requireNonNegative("readyDuration", readyDuration);
        requireNonNegative("pauseBetweenOperations", pauseBetweenOperations);
        requireNonNegative("stallDuration", stallDuration);
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(channels, "channels");
        Objects.requireNonNull(messages, "messages");
        requirePositive("stagingPerSecond", stagingPerSecond);
        requirePositive("usersPerSecond", usersPerSecond);
        requirePositive("channelsPerSecond", channelsPerSecond);
        requirePositive("messagesPerSecond", messagesPerSecond);
        requireProbability("errorRate", errorRate);
        requireProbability("skipRate", skipRate);
        requireProbability("slackShare", slackShare);
        requireProbability("csvShare", csvShare);
        requireProbability("slackShare + csvShare", slackShare + csvShare);
        requireProbability("failureProbability", failureProbability);
        requireProbability("stallProbability", stallProbability);
        requireProbability("stallThenFailProbability", stallThenFailProbability);
        requireProbability("restartProbability", restartProbability);
        requireProbability("failure + stall + restart probabilities",
                failureProbability + stallProbability + restartProbability);
    }

    /**
     * For {@code --demo}: the first operation appears after 3 s, something visibly changes
     * every few seconds, a full import takes about 2–4 minutes with a few thousand records, and
     * about every second operation fails, stalls for two minutes or is cut by a restart. A few
     * users already exist, so some operations end with {@code completed + error} below the total,
     * as on a real server.
     */
    public static Scenario demo() {
        return timings(0.003).withFaultProbabilities(0.15, 0.2, 0.1);
    }

    /**
     * The timings of {@link #demo()}, but nothing goes wrong and no user is skipped: every
     * operation runs to {@code importer_done} with {@code completed + error == total}.
     */
    public static Scenario steady() {
        return timings(0);
    }

    private static Scenario timings(double skipRate) {
        return new Scenario(
                Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(10), Duration.ofSeconds(30),
                new Range(200, 400), new Range(10, 40), new Range(1500, 3000),
                200, 5, 1, 40,
                0.01, skipRate,
                0.5, 0.25,
                0, 0, 0.5, 0,
                Duration.ofMinutes(2));
    }

    /** The same scenario with other per-operation probabilities of failure, stall and restart. */
    public Scenario withFaultProbabilities(double failure, double stall, double restart) {
        return new Scenario(firstOperationAfter, stepDuration, readyDuration, pauseBetweenOperations,
                users, channels, messages,
                stagingPerSecond, usersPerSecond, channelsPerSecond, messagesPerSecond,
                errorRate, skipRate, slackShare, csvShare,
                failure, stall, stallThenFailProbability, restart, stallDuration);
    }

    /** The same scenario with only one kind of import: {@code slack}, {@code csv} or {@code api}. */
    public Scenario onlyImporter(String importerKey) {
        double slack = "slack".equals(importerKey) ? 1 : 0;
        double csv = "csv".equals(importerKey) ? 1 : 0;
        if (!"api".equals(importerKey) && slack + csv == 0) {
            throw new IllegalArgumentException("unknown importer " + importerKey + " (slack, csv, api)");
        }
        return new Scenario(firstOperationAfter, stepDuration, readyDuration, pauseBetweenOperations,
                users, channels, messages,
                stagingPerSecond, usersPerSecond, channelsPerSecond, messagesPerSecond,
                errorRate, skipRate, slack, csv,
                failureProbability, stallProbability, stallThenFailProbability, restartProbability, stallDuration);
    }

    private static void requireNonNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
    }

    private static void requirePositive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " must be a positive number: " + v);
        }
    }

    private static void requireProbability(String name, double p) {
        if (!(p >= 0 && p <= 1.0000001)) {
            throw new IllegalArgumentException(name + " must be within [0, 1]: " + p);
        }
    }
}
