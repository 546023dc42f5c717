package io.rcimport.exporter.rocketchat;

import static io.rcimport.exporter.testing.RocketChatFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseClassifierTest {
    private static final Instant NOW = Instant.parse("2026-05-02T10:00:00.123Z");
    private static final long CAP = 64 * 1024;

    private static HttpAnswer answer(int status, String contentType, byte[] body, String... headerPairs) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (!contentType.isEmpty()) {
            headers.put("Content-Type", List.of(contentType));
        }
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.put(headerPairs[i], List.of(headerPairs[i + 1]));
        }
        return HttpAnswer.of(status, HttpHeaders.of(headers, (k, v) -> true), body, false);
    }

    private static HttpAnswer json(int status, String fixture, String... headerPairs) {
        return answer(status, "application/json", bytes(fixture), headerPairs);
    }

    private static PollResult.Failure failure(HttpAnswer a) {
        return assertInstanceOf(PollResult.Failure.class, ResponseClassifier.classify(a, CAP, NOW));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // --- success ---

    @Test
    void a_200_status_body_is_a_success_that_keeps_the_raw_bytes() {
        byte[] body = bytes("status-importing-slack.json");
        PollResult r = ResponseClassifier.classify(answer(200, "application/json", body), CAP, NOW);
        PollResult.Success s = assertInstanceOf(PollResult.Success.class, r);
        assertEquals(Outcome.SUCCESS, s.outcome());
        assertEquals(ImportState.IMPORTING, s.status().state());
        assertArrayEquals(body, s.rawBody());
    }

    @Test
    void a_200_that_is_not_json_is_an_invalid_response() {
        PollResult.Failure f = failure(answer(200, "text/html", bytes("404.html")));
        assertEquals(Outcome.INVALID_RESPONSE, f.outcome());
        assertTrue(f.message().startsWith("body is not valid JSON"), f.message());
    }

    @Test
    void a_200_with_success_false_is_an_invalid_response() {
        assertEquals(Outcome.INVALID_RESPONSE, failure(json(200, "500.json")).outcome());
    }

    // --- 401 ---

    @Test
    void a_401_with_the_6x_body_is_unauthorized_and_quotes_the_message_field() {
        PollResult.Failure f = failure(json(401, "401-6x.json"));
        assertEquals(Outcome.UNAUTHORIZED, f.outcome());
        assertEquals("HTTP 401: You must be logged in to do this.", f.message());
        assertEquals(Optional.empty(), f.notBefore());
    }

    @Test
    void a_401_with_the_7x_body_is_unauthorized_and_quotes_the_error_field() {
        PollResult.Failure f = failure(json(401, "401-7x.json"));
        assertEquals(Outcome.UNAUTHORIZED, f.outcome());
        assertEquals("HTTP 401: You must be logged in to do this.", f.message());
    }

    @Test
    void a_401_with_an_8x_body_without_status_or_message_is_still_unauthorized() {
        PollResult.Failure f = failure(answer(401, "application/json",
                utf8("{\"success\":false,\"error\":\"You must be logged in to do this.\"}")));
        assertEquals(Outcome.UNAUTHORIZED, f.outcome());
        assertTrue(f.message().contains("You must be logged in"), f.message());
    }

    @Test
    void a_401_without_a_body_is_unauthorized_with_a_generic_message() {
        PollResult.Failure f = failure(answer(401, "", new byte[0]));
        assertEquals(Outcome.UNAUTHORIZED, f.outcome());
        assertEquals("HTTP 401: not logged in", f.message());
    }

    @Test
    void a_totp_required_401_tells_the_user_to_use_a_personal_access_token() {
        PollResult.Failure f = failure(json(401, "login-totp-required.json"));
        assertEquals(Outcome.UNAUTHORIZED, f.outcome());
        assertTrue(f.message().contains("totp-required"), f.message());
        assertTrue(f.message().contains("personal access token"), f.message());
    }

    @Test
    void a_plain_401_does_not_carry_the_two_factor_hint() {
        assertFalse(failure(json(401, "401-7x.json")).message().contains("two-factor"));
    }

    // --- 403 / 404 ---

    @Test
    void a_403_is_forbidden_and_names_the_missing_permission() {
        PollResult.Failure f = failure(json(403, "403.json"));
        assertEquals(Outcome.FORBIDDEN, f.outcome());
        assertTrue(f.message().contains("User does not have the permissions required"), f.message());
        assertTrue(f.message().contains("run-import"), f.message());
    }

    @Test
    void a_404_html_page_is_not_found_and_its_markup_is_not_in_the_message() {
        PollResult.Failure f = failure(answer(404, "text/html; charset=utf-8", bytes("404.html")));
        assertEquals(Outcome.NOT_FOUND, f.outcome());
        assertTrue(f.message().contains("older than 6.3"), f.message());
        assertFalse(f.message().contains("<"), f.message());
    }

    @Test
    void a_404_plain_text_is_not_found() {
        PollResult.Failure f = failure(answer(404, "text/plain", utf8("Cannot GET /api/v1/import.status\n")));
        assertEquals(Outcome.NOT_FOUND, f.outcome());
        assertFalse(f.message().contains("Cannot GET"), f.message());
    }

    @Test
    void a_404_plain_text_that_starts_like_json_is_not_found_not_a_parse_failure() {
        PollResult.Failure f = failure(answer(404, "text/plain", utf8("{404} not found: /api/v1/import.status")));
        assertEquals(Outcome.NOT_FOUND, f.outcome());
    }

    @Test
    void a_404_without_any_body_is_not_found() {
        assertEquals(Outcome.NOT_FOUND, failure(answer(404, "", new byte[0])).outcome());
    }

    // --- rate limiting ---

    @Test
    void a_429_with_x_ratelimit_reset_waits_exactly_until_that_absolute_epoch_ms() {
        Instant reset = NOW.plusMillis(37_456);
        PollResult.Failure f = failure(json(429, "429.json",
                "X-RateLimit-Limit", "10",
                "X-RateLimit-Remaining", "0",
                "X-RateLimit-Reset", Long.toString(reset.toEpochMilli())));
        assertEquals(Outcome.RATE_LIMITED, f.outcome());
        // The header (37.456 s) wins over the "wait 42 seconds" of the message.
        assertEquals(Optional.of(reset), f.notBefore());
        assertEquals(OptionalLong.of(0), f.rateLimitRemaining());
    }

    @Test
    void a_429_without_headers_waits_the_seconds_named_in_the_message() {
        PollResult.Failure f = failure(json(429, "429.json"));
        assertEquals(Outcome.RATE_LIMITED, f.outcome());
        assertEquals(Optional.of(NOW.plusSeconds(42)), f.notBefore());
        assertEquals(OptionalLong.empty(), f.rateLimitRemaining());
    }

    @Test
    void a_429_without_headers_or_message_waits_rocket_chats_default_window() {
        PollResult.Failure f = failure(answer(429, "", new byte[0]));
        assertEquals(Outcome.RATE_LIMITED, f.outcome());
        assertEquals(Optional.of(NOW.plus(ResponseClassifier.DEFAULT_RATE_LIMIT_WAIT)), f.notBefore());
        assertEquals(Duration.ofSeconds(60), ResponseClassifier.DEFAULT_RATE_LIMIT_WAIT);
    }

    @Test
    void a_reset_days_away_is_capped_so_a_broken_server_clock_cannot_silence_the_agent() {
        PollResult.Failure f = failure(json(429, "429.json",
                "X-RateLimit-Reset", Long.toString(NOW.plus(Duration.ofDays(3)).toEpochMilli())));
        assertEquals(Optional.of(NOW.plus(Duration.ofMinutes(15))), f.notBefore());
    }

    @Test
    void a_reset_in_the_past_still_waits_one_second() {
        PollResult.Failure f = failure(json(429, "429.json",
                "X-RateLimit-Reset", Long.toString(NOW.minusSeconds(30).toEpochMilli())));
        assertEquals(Optional.of(NOW.plusSeconds(1)), f.notBefore());
    }

    @Test
    void a_reset_that_a_proxy_rewrote_to_epoch_seconds_is_read_as_seconds() {
        long resetSeconds = NOW.getEpochSecond() + 20;
        PollResult.Failure f = failure(json(429, "429.json", "X-RateLimit-Reset", Long.toString(resetSeconds)));
        assertEquals(Optional.of(Instant.ofEpochSecond(resetSeconds)), f.notBefore());
    }

    @Test
    void a_garbled_reset_header_falls_back_to_the_message() {
        PollResult.Failure f = failure(json(429, "429.json", "X-RateLimit-Reset", "soon"));
        assertEquals(Optional.of(NOW.plusSeconds(42)), f.notBefore());
    }

    @Test
    void the_old_servers_400_rate_limit_answer_is_rate_limited() {
        PollResult.Failure f = failure(json(400, "400-rate-limited-old.json"));
        assertEquals(Outcome.RATE_LIMITED, f.outcome());
        assertEquals(Optional.of(NOW.plusSeconds(10)), f.notBefore());
    }

    @Test
    void a_400_recognised_by_the_error_text_alone_is_rate_limited() {
        PollResult.Failure f = failure(answer(400, "application/json", utf8(
                "{\"success\":false,\"error\":\"Error, too many requests. Please slow down. You must wait 5 seconds before trying this endpoint again. [error-too-many-requests]\"}")));
        assertEquals(Outcome.RATE_LIMITED, f.outcome());
        assertEquals(Optional.of(NOW.plusSeconds(5)), f.notBefore());
    }

    @Test
    void any_other_400_is_a_client_error_with_the_servers_text() {
        PollResult.Failure f = failure(answer(400, "application/json",
                utf8("{\"success\":false,\"error\":\"Invalid params\",\"errorType\":\"error-invalid-params\"}")));
        assertEquals(Outcome.CLIENT_ERROR, f.outcome());
        assertEquals("HTTP 400: Invalid params", f.message());
        assertEquals(Optional.empty(), f.notBefore());
    }

    @Test
    void a_non_json_400_is_a_client_error() {
        PollResult.Failure f = failure(answer(400, "text/html", utf8("<html><body>Bad Request</body></html>")));
        assertEquals(Outcome.CLIENT_ERROR, f.outcome());
        assertEquals("HTTP 400 (HTML page)", f.message());
    }

    // --- 5xx ---

    @Test
    void a_500_json_is_a_server_error_with_the_servers_text() {
        PollResult.Failure f = failure(json(500, "500.json"));
        assertEquals(Outcome.SERVER_ERROR, f.outcome());
        assertEquals("HTTP 500: Internal server error", f.message());
    }

    @ParameterizedTest
    @ValueSource(ints = {502, 503, 504})
    void a_proxy_html_page_for_a_5xx_is_a_server_error(int status) {
        PollResult.Failure f = failure(answer(status, "text/html",
                utf8("<html><head><title>" + status + " Bad Gateway</title></head><body><center><h1>nginx</h1></center></body></html>")));
        assertEquals(Outcome.SERVER_ERROR, f.outcome());
        assertEquals("HTTP " + status + " (HTML page)", f.message());
    }

    @Test
    void an_empty_503_is_a_server_error() {
        PollResult.Failure f = failure(answer(503, "", new byte[0]));
        assertEquals(Outcome.SERVER_ERROR, f.outcome());
        assertEquals("HTTP 503 (empty body)", f.message());
    }

    @Test
    void a_huge_server_error_text_is_cut_and_stripped_of_control_characters() {
        String text = "line1\nline2\u0007" + "y".repeat(5000);
        PollResult.Failure f = failure(answer(500, "application/json", utf8("{\"error\":\"" + text.replace("\n", "\\n").replace("\u0007", "\\u0007") + "\"}")));
        assertTrue(f.message().length() < 260, "length " + f.message().length());
        assertFalse(f.message().contains("\n"));
        assertFalse(f.message().contains("\u0007"));
        assertTrue(f.message().startsWith("HTTP 500: line1 line2 "), f.message());
    }

    // --- other statuses ---

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 307, 308})
    void a_redirect_is_a_client_error_because_it_is_not_followed(int status) {
        PollResult.Failure f = failure(answer(status, "text/html", new byte[0], "Location", "https://chat.example.com/api/v1/import.status"));
        assertEquals(Outcome.CLIENT_ERROR, f.outcome());
        assertTrue(f.message().contains("redirect"), f.message());
    }

    @Test
    void a_204_is_an_invalid_response() {
        assertEquals(Outcome.INVALID_RESPONSE, failure(answer(204, "", new byte[0])).outcome());
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 401, 404, 429, 500})
    void a_truncated_body_is_an_invalid_response_whatever_the_status(int status) {
        HttpAnswer a = new HttpAnswer(status, "application/json", "{\"state\":\"impor".getBytes(StandardCharsets.UTF_8), true,
                OptionalLong.empty(), Optional.empty());
        PollResult.Failure f = failure(a);
        assertEquals(Outcome.INVALID_RESPONSE, f.outcome());
        assertTrue(f.message().contains("larger than " + CAP + " bytes"), f.message());
    }

    // --- headers carried ---

    @Test
    void x_ratelimit_remaining_is_carried_on_a_success() {
        PollResult r = ResponseClassifier.classify(json(200, "status-ready.json", "X-RateLimit-Remaining", "7"), CAP, NOW);
        assertEquals(OptionalLong.of(7), r.rateLimitRemaining());
    }

    @Test
    void x_ratelimit_remaining_is_carried_on_a_failure() {
        assertEquals(OptionalLong.of(3), failure(json(403, "403.json", "X-RateLimit-Remaining", "3")).rateLimitRemaining());
    }

    @Test
    void a_non_numeric_x_ratelimit_remaining_is_ignored() {
        PollResult r = ResponseClassifier.classify(json(200, "status-ready.json", "X-RateLimit-Remaining", "lots"), CAP, NOW);
        assertEquals(OptionalLong.empty(), r.rateLimitRemaining());
    }
}
