package io.rcimport.exporter.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Response bodies exactly as Rocket.Chat 6.3–7.x (or a proxy in front of it) sends them; the ones
 * with a fixture in {@code src/test/resources/fixtures} are byte-for-byte copies (a test checks).
 */
final class RocketChatBodies {
    static final String JSON = "application/json";
    static final String HTML = "text/html;charset=utf-8";

    static final String UNAUTHORIZED_6X = "{\"status\":\"error\",\"message\":\"You must be logged in to do this.\"}";
    static final String UNAUTHORIZED_7X = "{\"success\":false,\"error\":\"You must be logged in to do this.\","
            + "\"status\":\"error\",\"message\":\"You must be logged in to do this.\"}";
    /** 8.x drops {@code status} and {@code message}. */
    static final String UNAUTHORIZED_8X = "{\"success\":false,\"error\":\"You must be logged in to do this.\"}";
    static final String FORBIDDEN = "{\"success\":false,\"error\":\"User does not have the permissions required "
            + "for this action [error-unauthorized]\"}";
    static final String INTERNAL_SERVER_ERROR = "{\"success\":false,\"error\":\"Internal server error\"}";
    static final String NOT_FOUND_HTML =
            "<!DOCTYPE html><html><head><title>404</title></head><body><h1>Page not found</h1></body></html>";
    static final String LOGIN_TOTP_REQUIRED = "{\"status\":\"error\",\"error\":\"totp-required\",\"message\":"
            + "\"TOTP Required\",\"details\":{\"method\":\"totp\",\"availableMethods\":[\"totp\"]},\"success\":false}";
    static final String LOGIN_FAILED = "{\"status\":\"error\",\"error\":\"Unauthorized\",\"message\":\"Unauthorized\"}";
    /** What Rocket.Chat's web app answers with status 200 for a path it does not know (wrong base URL). */
    static final String WEB_APP_PAGE = "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\" />\n"
            + "<title>Rocket.Chat</title>\n</head>\n<body>\n<noscript>You need to enable JavaScript to run this app."
            + "</noscript>\n<div id=\"react-root\"></div>\n</body>\n</html>\n";
    /** Valid JSON, but every field has the wrong type. */
    static final String WRONG_TYPES = "{\"state\":42,\"operation\":{\"_id\":12345,\"type\":[\"api\"],\"importerKey\":null,"
            + "\"ts\":true,\"status\":{\"step\":\"importer_importing_users\"},\"valid\":\"yes\",\"user\":7,"
            + "\"_updatedAt\":\"not a date\",\"count\":{\"total\":\"many\",\"completed\":-1.5,\"error\":[]}},"
            + "\"success\":\"true\"}";

    private RocketChatBodies() {
    }

    /** The error page nginx sends when Rocket.Chat behind it is down or broken. */
    static String nginxErrorPage(int status, String reason) {
        String title = status + " " + reason;
        return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title
                + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    }

    /** The rate limiter's answer; {@code withErrorType} for very old servers (HTTP 400). */
    static String tooManyRequests(long waitSeconds, boolean withErrorType) {
        String body = "{\"success\":false,\"error\":\"Error, too many requests. Please slow down. You must wait "
                + waitSeconds + " seconds before trying this endpoint again. [error-too-many-requests]\"";
        return withErrorType ? body + ",\"errorType\":\"error-too-many-requests\"}" : body + "}";
    }

    static String info(String version) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("version", version);
        body.put("success", true);
        return body.toString();
    }

    /** {@code POST /api/v1/login} answered: the shape of {@code login-success.json}. */
    static String loginSuccess(String userId, String authToken, String username) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("status", "success");
        ObjectNode data = body.putObject("data");
        data.put("userId", userId);
        data.put("authToken", authToken);
        ObjectNode me = data.putObject("me");
        me.put("_id", userId);
        me.put("username", username);
        me.putArray("roles").add("admin");
        body.put("success", true);
        return body.toString();
    }
}
