package io.rcimport.exporter.rocketchat;

import java.util.Locale;

/** How one poll ended: exactly one per poll, the {@code outcome} label of {@code polls_total}. */
public enum Outcome {
    SUCCESS,
    UNAUTHORIZED,
    FORBIDDEN,
    NOT_FOUND,
    RATE_LIMITED,
    CLIENT_ERROR,
    SERVER_ERROR,
    TIMEOUT,
    CONNECTION_ERROR,
    INVALID_RESPONSE,
    CIRCUIT_OPEN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Worth another attempt within the same poll: the server or network may recover in a moment. */
    public boolean isTransient() {
        return this == SERVER_ERROR || this == TIMEOUT || this == CONNECTION_ERROR;
    }

    /**
     * Counts against the circuit breaker: the server is sick or unreachable. Auth and permission
     * problems, a missing endpoint and rate limiting mean the server is up and answering; opening
     * the breaker for them would only hide the real cause behind {@code circuit_open}.
     */
    public boolean isServerFault() {
        return this == SERVER_ERROR || this == TIMEOUT || this == CONNECTION_ERROR || this == INVALID_RESPONSE;
    }

    /** A misconfiguration a human must fix: the target-down alert is critical for these. */
    public boolean needsHuman() {
        return this == UNAUTHORIZED || this == FORBIDDEN || this == NOT_FOUND;
    }
}
