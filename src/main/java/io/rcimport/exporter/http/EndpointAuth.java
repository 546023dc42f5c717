package io.rcimport.exporter.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import io.rcimport.exporter.config.Config;
import io.rcimport.exporter.config.Secret;
import io.rcimport.exporter.http.hot.Authentication;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Basic auth (bcrypt hashes, as Prometheus' exporter-toolkit web config) and bearer tokens for
 * the agent's own endpoints. Tokens are compared in constant time; a bcrypt check is expensive
 * by design, so a successful one is remembered (by a digest of the credentials, never the
 * password itself) and a scraper every 15 s costs one bcrypt check, not one per scrape.
 */
final class EndpointAuth implements Authentication {
    private static final int REMEMBERED = 64;
    /**
     * Passwords longer than bcrypt's 72 bytes are cut there, as Go's bcrypt (Prometheus'
     * exporter-toolkit) and C implementations compare them; the library's default would throw.
     */
    private static final BCrypt.Verifyer BCRYPT = BCrypt.verifyer(BCrypt.Version.VERSION_2A,
            LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2A));

    private final Config.WebAuth auth;
    private final Map<String, Secret> users;
    private final List<Secret> tokens;
    private final Map<String, Boolean> verified = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    EndpointAuth(Config.WebAuth auth) {
        this.users = auth.basicAuthUsers();
        this.tokens = auth.bearerTokens();
        this.auth = auth;
    }

    /** Empty when auth is off or the credentials are valid; else the challenge: Basic when basic auth is configured, else Bearer. */
    @Override
    public Optional<String> challenge(String authorization) {
        if (!auth.required() || allows(authorization)) {
            return Optional.empty();
        }
        return Optional.of(users.isEmpty() ? "Bearer realm=\"rocketchat-import-exporter\""
                : "Basic realm=\"rocketchat-import-exporter\", charset=\"UTF-8\"");
    }

    /** Whether the {@code Authorization} header carries valid credentials. */
    boolean allows(String authorization) {
        if (authorization == null) {
            return false;
        }
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String presented = authorization.substring(7).trim();
            boolean ok = false;
            for (Secret token : tokens) {
                ok |= token.matches(presented); // no early exit: the time does not tell which matched
            }
            return ok;
        }
        if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return false;
            }
            String user = decoded.substring(0, colon);
            String password = decoded.substring(colon + 1);
            Secret hash = users.get(user);
            if (hash == null) {
                return false;
            }
            String key = digest(user + "\u0000" + password + "\u0000" + hash.reveal());
            synchronized (verified) {
                if (verified.containsKey(key)) {
                    return true;
                }
            }
            boolean ok;
            try {
                ok = BCRYPT.verify(password.toCharArray(), hash.reveal().toCharArray()).verified;
            } catch (IllegalArgumentException e) {
                ok = false; // never a 500 for what a caller sent
            }
            if (ok) {
                synchronized (verified) {
                    verified.put(key, Boolean.TRUE);
                }
            }
            return ok;
        }
        return false;
    }

    private static String digest(String s) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
