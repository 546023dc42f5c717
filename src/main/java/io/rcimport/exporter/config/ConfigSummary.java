package io.rcimport.exporter.config;

import io.rcimport.exporter.config.Config.Alerting;
import io.rcimport.exporter.config.Config.Auth;
import io.rcimport.exporter.config.Config.PasswordAuth;
import io.rcimport.exporter.config.Config.Target;
import io.rcimport.exporter.config.Config.TargetTls;
import io.rcimport.exporter.config.Config.TokenAuth;
import io.rcimport.exporter.config.Config.Webhook;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A human summary of a {@link Config}, printed by {@code --check-config}. User ids and usernames
 * are shown; tokens, passwords, bcrypt hashes, bearer tokens and webhook header values only as
 * {@value Secret#MASK}; a webhook's path and query (which often carry its token) are masked too.
 */
public final class ConfigSummary {
    private ConfigSummary() {
    }

    public static String describe(Config config) {
        StringBuilder out = new StringBuilder();
        Config.Server server = config.server();
        line(out, "", "server", "listen on " + server.host() + ":" + server.port());
        line(out, "  ", "tls", server.tls()
                .map(tls -> "cert " + tls.certFile() + ", key " + tls.keyFile()
                        + tls.clientCaFile().map(ca -> ", client certificates required (CA " + ca + ")").orElse("")
                        + (tls.clientAllowedSans().isEmpty() ? "" : ", allowed SANs " + String.join(", ", tls.clientAllowedSans())))
                .orElse("off (plain http)"));
        line(out, "  ", "auth", webAuth(server.auth()));
        if (server.auth().required() && server.tls().isEmpty()) {
            out.append("  (without tls, passwords and tokens cross the network in clear text)\n");
        }
        line(out, "  ", "reload", server.enableReload() ? "on (POST /-/reload)" : "off");

        Config.Poll poll = config.poll();
        line(out, "", "poll", "every " + f(poll.interval()) + ", timeout " + f(poll.timeout()) + " per attempt, stale after "
                + f(poll.staleAfter()) + ", stalled after " + f(poll.stallAfter()) + " without progress");
        line(out, "  ", "awaiting admin", "after " + f(poll.awaitingOperatorAfter()) + " unchanged at a step that waits for one");
        line(out, "  ", "history", poll.historyInterval().isZero() ? "off" : "recent operations every " + f(poll.historyInterval()));

        Config.Retry retry = config.retry();
        line(out, "", "retry", "up to " + retry.maxAttempts() + " attempt" + (retry.maxAttempts() == 1 ? "" : "s")
                + " per poll, backoff " + f(retry.initialBackoff()) + " up to " + f(retry.maxBackoff()));

        Config.CircuitBreaker breaker = config.circuitBreaker();
        line(out, "", "circuit breaker", "opens at " + breaker.failureRateThreshold() + "% failed polls of the last "
                + breaker.window() + " (after at least " + breaker.minimumPolls() + "), stays open " + f(breaker.openFor()));

        line(out, "", "targets", String.valueOf(config.targets().size()));
        config.targetsFile().ifPresent(file -> line(out, "  ", "targets file", file.toString()));
        Config.Shard shard = config.shard();
        if (shard.count() > 1) {
            line(out, "  ", "shard", shard.index() + " of " + shard.count() + " (indexes 0.." + (shard.count() - 1)
                    + "): owns " + config.ownedTargets().size() + " of " + config.targets().size() + " targets");
        }
        for (Target target : config.targets()) {
            String text = target.url() + "  auth: " + auth(target.auth()) + tls(target.tls());
            if (!shard.owns(target.name())) {
                text += "  (not polled here: shard " + shard.shardOf(target.name()) + ")";
            }
            line(out, "  ", target.name(), text);
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
        line(out, "", "storage", config.storage().path().map(Path::toString).orElse("none (memory only)"));
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

    /** {@code basic: alice=***, bob=***; bearer tokens: ***, ***}, usernames sorted. */
    static String webAuth(Config.WebAuth auth) {
        if (!auth.required()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        if (!auth.basicAuthUsers().isEmpty()) {
            parts.add("basic: " + new TreeMap<>(auth.basicAuthUsers()).entrySet().stream()
                    .map(user -> user.getKey() + "=" + user.getValue())
                    .collect(Collectors.joining(", ")));
        }
        if (!auth.bearerTokens().isEmpty()) {
            parts.add("bearer tokens: " + auth.bearerTokens().stream().map(Secret::toString).collect(Collectors.joining(", ")));
        }
        return String.join("; ", parts);
    }

    private static String tls(TargetTls tls) {
        if (tls.insecureSkipVerify()) {
            return "  tls: insecure_skip_verify (certificate NOT checked)";
        }
        return tls.caFile().map(ca -> "  tls: ca_file " + ca).orElse("");
    }

    private static String webhook(Webhook webhook) {
        String text = UrlRule.ENDPOINT.display(webhook.url()) + "  format: " + webhook.format().name().toLowerCase(Locale.ROOT)
                + "  max_per_minute: " + (webhook.maxPerMinute() == 0 ? "unlimited" : webhook.maxPerMinute());
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
