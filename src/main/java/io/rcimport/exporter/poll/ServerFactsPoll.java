package io.rcimport.exporter.poll;

import io.rcimport.exporter.rocketchat.ImportOperation;
import io.rcimport.exporter.rocketchat.Outcome;
import io.rcimport.exporter.rocketchat.PollReport;
import io.rcimport.exporter.rocketchat.PollResult;
import io.rcimport.exporter.rocketchat.RocketChatClient;
import io.rcimport.exporter.rocketchat.ServerVersion;
import io.rcimport.exporter.rocketchat.SideAnswer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A target's whole poll: its server version first when due (so a 404 from an old server is
 * explained in the same poll), then the status through the {@link ResilientPoller}, then its
 * recent operations when due and the status poll succeeded. The two side calls go around the
 * breaker and the retries: they never change a poll's outcome, and their failures only delay
 * their own next attempt ({@link FactsSchedule}).
 */
public final class ServerFactsPoll implements TargetPoll {
    private static final Logger LOG = LoggerFactory.getLogger(ServerFactsPoll.class);

    private final ResilientPoller status;
    private final RocketChatClient client;
    private final Clock clock;
    private final Duration historyInterval;
    /** Touched only by this target's polls, which never overlap; atomic because they complete on HTTP threads. */
    private final AtomicReference<FactsSchedule> schedule = new AtomicReference<>(FactsSchedule.initial());

    public ServerFactsPoll(ResilientPoller status, RocketChatClient client, Clock clock, Duration historyInterval) {
        this.status = status;
        this.client = client;
        this.clock = clock;
        this.historyInterval = historyInterval;
    }

    @Override
    public String target() {
        return status.target();
    }

    @Override
    public CompletableFuture<PollReport> report() {
        return version().thenCompose(version -> status.poll().thenCompose(result -> {
            schedule.updateAndGet(s -> s.statusPolled(result.outcome() == Outcome.NOT_FOUND));
            CompletableFuture<Optional<List<ImportOperation>>> history = result instanceof PollResult.Success
                    ? history()
                    : CompletableFuture.completedFuture(Optional.empty());
            return history.thenApply(operations -> new PollReport(result, version, operations));
        }));
    }

    private CompletableFuture<Optional<ServerVersion>> version() {
        if (!schedule.get().versionDue(clock.instant())) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return client.fetchServerVersion().thenApply(answer -> {
            Optional<ServerVersion> version = answer instanceof SideAnswer.Got<Optional<ServerVersion>> got
                    ? got.value() : Optional.empty();
            schedule.updateAndGet(s -> s.versionTried(clock.instant(), version.isPresent()));
            if (answer instanceof SideAnswer.Failed<?> failed) {
                LOG.debug("target={} event=server_info_failed msg=\"{}\"", target(), failed.message());
            }
            return version;
        });
    }

    private CompletableFuture<Optional<List<ImportOperation>>> history() {
        if (!schedule.get().historyDue(clock.instant(), historyInterval)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return client.fetchRecentOperations().thenApply(answer -> {
            if (answer instanceof SideAnswer.Got<List<ImportOperation>> got) {
                schedule.updateAndGet(s -> s.historyTried(clock.instant(), historyInterval, Optional.empty()));
                return Optional.of(got.value());
            }
            if (answer instanceof SideAnswer.Refused<?> refused) {
                schedule.updateAndGet(FactsSchedule::historyRefusedNow);
                LOG.warn("target={} event=history_off msg=\"getLatestImportOperations refused: {}; recent operations are not "
                        + "shown for this target (give the user the view-import-operations permission and restart the agent)\"",
                        target(), refused.message());
                return Optional.of(List.of());
            }
            SideAnswer.Failed<?> failed = (SideAnswer.Failed<?>) answer;
            schedule.updateAndGet(s -> s.historyTried(clock.instant(), historyInterval, failed.notBefore()));
            LOG.debug("target={} event=history_failed msg=\"{}\"", target(), failed.message());
            return Optional.empty();
        });
    }
}
