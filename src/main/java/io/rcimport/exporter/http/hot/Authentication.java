package io.rcimport.exporter.http.hot;

import java.util.Optional;

/** Whether a request's credentials open the agent's endpoints. */
@FunctionalInterface
public interface Authentication {
    /** Open endpoints: every request is allowed. */
    Authentication NONE = authorization -> Optional.empty();

    /**
     * Empty when {@code authorization} (the header, or null) is allowed; else the
     * {@code WWW-Authenticate} challenge to answer with the 401.
     */
    Optional<String> challenge(String authorization);
}
