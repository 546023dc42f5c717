package io.rcimport.exporter.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One progress step of a simulated operation, entered by writing its {@link #status()}. */
sealed interface Step permits Step.Mark, Step.Stage, Step.Run, Step.Finish {

    String status();

    /** A step that counts nothing: the operation stays in it for {@code dwell}. */
    record Mark(String status, Duration dwell) implements Step {
    }

    /** Preparing: {@code count.<field>} and {@code count.total} grow by {@code batch} per write. */
    record Stage(String status, CountField field, int amount, int batch) implements Step {
    }

    /**
     * Importing {@code records} at {@code perSecond}: {@code count.completed}/{@code count.error}
     * are written only when their sum hits a multiple of 50 (500 for messages) or the total.
     */
    record Run(String status, CountField field, int records, double perSecond) implements Step {
        int writeEvery() {
            return Statuses.IMPORTING_MESSAGES.equals(status) ? 500 : 50;
        }
    }

    /** {@code importer_done}. */
    record Finish() implements Step {
        @Override
        public String status() {
            return Statuses.DONE;
        }
    }

    /** The steps Rocket.Chat's importers go through, in order. */
    static List<Step> plan(Importer importer, int users, int channels, int messages, Scenario s) {
        List<Step> steps = new ArrayList<>();
        steps.add(new Mark(Statuses.NEW, s.stepDuration()));
        if (importer.fileBased()) {
            steps.add(new Mark(Statuses.UPLOADING, s.stepDuration()));
            steps.add(new Mark(Statuses.FILE_LOADED, s.stepDuration()));
            steps.add(new Mark(Statuses.PREPARING_STARTED, s.stepDuration()));
            steps.add(new Stage(Statuses.PREPARING_USERS, CountField.USERS, users, 50));
            steps.add(new Stage(Statuses.PREPARING_CHANNELS, CountField.CHANNELS, channels, 10));
            steps.add(new Stage(Statuses.PREPARING_MESSAGES, CountField.MESSAGES, messages, 500));
        } else {
            // import.addUsers: the operation is "ready" at once and the staged users grow.
            steps.add(new Stage(Statuses.USER_SELECTION, CountField.USERS, users, 50));
        }
        steps.add(new Mark(Statuses.USER_SELECTION, s.readyDuration()));
        steps.add(new Mark(Statuses.IMPORTING_STARTED, s.stepDuration()));
        steps.add(new Run(Statuses.IMPORTING_USERS, CountField.USERS, users, s.usersPerSecond()));
        steps.add(new Run(Statuses.IMPORTING_CHANNELS, CountField.CHANNELS, channels, s.channelsPerSecond()));
        steps.add(new Run(Statuses.IMPORTING_MESSAGES, CountField.MESSAGES, messages, s.messagesPerSecond()));
        steps.add(new Mark(Statuses.FINISHING, s.stepDuration()));
        steps.add(new Finish());
        return List.copyOf(steps);
    }

    /** Records the Run steps of a plan process: where a fault can strike. */
    static int runRecords(List<Step> plan) {
        return plan.stream().filter(Run.class::isInstance).mapToInt(step -> ((Run) step).records()).sum();
    }
}
