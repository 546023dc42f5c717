package io.rcimport.exporter.poll;

import io.rcimport.exporter.rocketchat.PollReport;
import java.util.concurrent.CompletableFuture;

/** One whole poll of one target, as the scheduler runs it. */
public interface TargetPoll {
    String target();

    /** Always completes normally. */
    CompletableFuture<PollReport> report();
}
