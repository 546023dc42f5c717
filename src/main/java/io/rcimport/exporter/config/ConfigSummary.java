package io.rcimport.exporter.config;

import io.rcimport.exporter.config.Config.Alerting;
import io.rcimport.exporter.config.Config.Auth;
import io.rcimport.exporter.config.Config.PasswordAuth;
import io.rcimport.exporter.config.Config.Target;
import io.rcimport.exporter.config.Config.TokenAuth;
import io.rcimport.exporter.config.Config.Webhook;
import java.time.Duration;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A human summary of a {@link Config}, printed by {@code --check-config}. User ids and usernames
 * are shown; tokens, passwords and webhook header values only as {@value Secret#MASK}; a
 * webhook's path and query (which often carry its token) are masked too.
 */
public final class ConfigSummary {
    private ConfigSummary() {
    }

    public static String describe(Config config) {
        StringBuilder out = new StringBuilder();
        Config.Server server = config.server();
        line(out, "", "server", "listen on " + server.host() + ":" + server.port());

        Config.Poll poll = config.poll();
        line(out, "", "poll", "every " + f(poll.interval()) + ", timeout " + f(poll.timeout()) + " per attempt, stale after "
                + f(poll.staleAfter()) + ", stalled after " + f(poll.stallAfter()) + " without progress");

        Config.Retry retry = config.retry();
        line(out, "", "retry", "up to " + retry.maxAttempts() + " attempt" + (retry.maxAttempts() == 1 ? "" : "s")
                + " per poll, backoff " + f(retry.initialBackoff()) + " up to " + f(retry.maxBackoff()));

        Config.CircuitBreaker breaker = config.circuitBreaker();
        line(out, "", "circuit breaker", "opens at " + breaker.failureRateThreshold() + "% failed polls of the last "
                + breaker.window() + " (after at least " + breaker.minimumPolls() + "), stays open " + f(breaker.openFor()));

        line(out, "", "targets", String.valueOf(config.targets().size()));
        for (Target target : config.targets()) {
            line(out, "  ", target.name(), target.url() + "  auth: " + auth(target.auth()));
        }

        Alerting alerting = config.alerting();
        out.append("alerting:\n");
        if (alerting.alertmanagers().isEmpty()) {
            line(out, "  ", "alertmanagers", "none");
        }
        for (Config.Alertmanager alertmanager : alerting.alertmanagers()) {
            line(out, "  ", "alertmanager", UrlRule.BASE.display(alertmanager.url()));
        }
        if (alerting.webhooks().isEmpty()) {
            line(out, "  ", "webhooks", "none");
        }
        for (Webhook webhook : alerting.webhooks()) {
            line(out, "  ", "webhook", webhook(webhook));
        }
        line(out, "  ", "resend interval", f(alerting.resendInterval()));
        line(out, "  ", "external url", alerting.externalUrl().map(UrlRule.BASE::display).orElse("not set"));
        if (alerting.alertmanagers().isEmpty() && alerting.webhooks().isEmpty()) {
            out.append("  (alerts are evaluated and logged only)\n");
        }
        return out.toString();
    }

    /** {@code token (user_id=abc) auth_token=***} or {@code password (username=x) password=***}. */
    static String auth(Auth auth) {
        if (auth instanceof TokenAuth token) {
            return "token (user_id=" + token.userId() + ") auth_token=" + token.authToken();
        }
        PasswordAuth login = (PasswordAuth) auth;
        return "password (username=" + login.username() + ") password=" + login.password();
    }

    private static String webhook(Webhook webhook) {
        String text = UrlRule.ENDPOINT.display(webhook.url()) + "  format: " + webhook.format().name().toLowerCase(Locale.ROOT);
        if (!webhook.headers().isEmpty()) {
            text += "  headers: " + String.join(", ", new TreeSet<>(webhook.headers().keySet()));
        }
        return text;
    }

    private static void line(StringBuilder out, String indent, String label, String value) {
        String head = indent + label + ":";
        out.append(head).append(" ".repeat(Math.max(1, 20 - head.length()))).append(value).append('\n');
    }

    private static String f(Duration duration) {
        return Durations.format(duration);
    }
}
