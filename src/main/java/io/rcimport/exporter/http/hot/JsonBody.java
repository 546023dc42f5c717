package io.rcimport.exporter.http.hot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** JSON bodies as bytes, and the shapes of the agent's error answers (for every route). */
public final class JsonBody {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonBody() {
    }

    /** {@code {"error": "..."}}: the agent's own endpoints. */
    public record Error(String error) {
    }

    /**
     * {@code {"success": false, "error": "...", "targets": [...]}}: shaped like Rocket.Chat's own
     * errors, for the compatible endpoint's clients; {@code targets} only where it helps.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RocketChatError(boolean success, String error, List<String> targets) {
        static RocketChatError of(String error) {
            return new RocketChatError(false, error, null);
        }
    }

    /** The body as JSON bytes. */
    public static byte[] bytes(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + body.getClass().getSimpleName(), e);
        }
    }
}
