package io.rcimport.exporter.alert;

/**
 * What one answer to a post means for the payload, by the delivery rules: delivered; rejected
 * (a 4xx, or a Rocket.Chat hook's 500 after a few attempts: retrying cannot help); dropped after
 * {@link DeliveryQueue#MAX_ATTEMPTS}; retried after a backoff; or, for a 429 that the policy
 * honours, sent again when the answer says, without using up an attempt. Pure: the queue acts on it.
 *
 * @param why what happened, for the log (never a secret: a status code or an exception class)
 */
record PostVerdict(Kind kind, String why) {

    enum Kind { DELIVERED, REJECTED, DROPPED, RETRY, WAIT_AS_TOLD }

    /**
     * @param status the HTTP status, or 0 without an answer
     * @param error  the failure without an answer (a connection error, a timeout), else null
     */
    static PostVerdict of(int status, Throwable error, int attemptNo, DeliveryPolicy policy) {
        if (error == null && status / 100 == 2) {
            return new PostVerdict(Kind.DELIVERED, "");
        }
        String why = error != null ? error.getClass().getSimpleName() : "HTTP " + status;
        boolean retryable = error != null || status >= 500 || status == 429;
        if (!retryable) {
            return new PostVerdict(Kind.REJECTED, why);
        }
        if (status == 500 && policy.rejectServerErrorAfter() > 0 && attemptNo >= policy.rejectServerErrorAfter()) {
            return new PostVerdict(Kind.REJECTED, why + " after " + attemptNo + " attempts: " + policy.rejectHint());
        }
        if (status == 429 && policy.honoursRateLimitAnswers()) {
            return new PostVerdict(Kind.WAIT_AS_TOLD, why);
        }
        if (attemptNo >= DeliveryQueue.MAX_ATTEMPTS) {
            return new PostVerdict(Kind.DROPPED, why + " after " + attemptNo + " attempts");
        }
        return new PostVerdict(Kind.RETRY, why);
    }
}
