package io.rcimport.exporter.config;

import io.rcimport.exporter.config.Config.ClientAuth;
import io.rcimport.exporter.config.Config.Server;
import io.rcimport.exporter.config.Config.ServerTls;
import io.rcimport.exporter.config.Config.WebAuth;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code server} section: where the agent listens, over HTTPS or not, who may call it, and
 * whether {@code POST /-/reload} is served. The TLS and authentication keys follow Prometheus'
 * exporter-toolkit web configuration ({@code cert_file}, {@code key_file},
 * {@code basic_auth_users} with bcrypt hashes).
 */
final class ServerReader {
    /** {@code $2a$}, {@code $2b$} or {@code $2y$}, a two-digit cost 04..31, 22 salt and 31 hash characters. */
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
    private static final Pattern BCRYPT_PREFIX = Pattern.compile("\\$2[aby]\\$.*", Pattern.DOTALL);
    private static final Pattern BCRYPT_COST = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$.*", Pattern.DOTALL);
    static final String HTPASSWD_HINT = "generate one with: htpasswd -nbBC 10 '' PASSWORD | tr -d ':\\n'";

    private ServerReader() {
    }

    static Server server(YamlMap m) throws ConfigException {
        Server d = Server.defaults();
        String host = m.nonEmptyString("host", d.host());
        int port = m.integer("port", d.port(), 0, 65535); // 0: any free port (tests)
        YamlMap tls = m.section("tls");
        Optional<Path> certFile = tls.file("cert_file");
        Optional<Path> keyFile = tls.file("key_file");
        Optional<Path> clientCaFile = tls.file("client_ca_file");
        Optional<String> clientAuthName = tls.nonEmptyString("client_auth_type");
        List<String> allowedSans = tls.secrets("client_allowed_sans").stream().map(Secret::reveal).toList();
        tls.finish();
        Map<String, Secret> users = m.entries("basic_auth_users", ServerReader::bcryptHash);
        List<Secret> tokens = m.secrets("bearer_tokens");
        boolean enableReload = m.bool("enable_reload", d.enableReload());
        m.finish();

        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/')) {
            throw m.error("host", "expected a host name or IP address to listen on, got \"" + host + "\"");
        }
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).reveal().chars().anyMatch(Character::isWhitespace)) {
                throw new ConfigException(m.path("bearer_tokens") + "[" + i + "]",
                        "must not contain spaces (a bearer token is the single word after \"Bearer \")");
            }
        }
        return new Server(host, port, tls(tls, certFile, keyFile, clientCaFile, clientAuthName, allowedSans), new WebAuth(users, tokens), enableReload);
    }

    /**
     * Both files or neither; each must hold what its name says. Mutual TLS as exporter-toolkit
     * has it: {@code client_ca_file} goes with {@code RequireAndVerifyClientCert} and the other
     * way round; {@code client_allowed_sans} only with a required client certificate.
     */
    private static Optional<ServerTls> tls(YamlMap m, Optional<Path> certFile, Optional<Path> keyFile, Optional<Path> clientCaFile,
            Optional<String> clientAuthName, List<String> allowedSans) throws ConfigException {
        Optional<ClientAuth> clientAuth = Optional.empty();
        if (clientAuthName.isPresent()) {
            clientAuth = ClientAuth.byConfigName(clientAuthName.get());
            if (clientAuth.isEmpty()) {
                throw m.error("client_auth_type", "unknown value \"" + clientAuthName.get() + "\" (allowed: "
                        + Arrays.stream(ClientAuth.values()).map(ClientAuth::configName).collect(Collectors.joining(", ")) + ")");
            }
        }
        if (certFile.isEmpty() && keyFile.isEmpty()) {
            for (String key : List.of("client_ca_file", "client_auth_type", "client_allowed_sans")) {
                if (m.has(key)) {
                    throw m.error(key, "needs cert_file and key_file (mutual TLS is part of HTTPS)");
                }
            }
            return Optional.empty();
        }
        Path cert = certFile.orElseThrow(() -> m.error("cert_file", "required together with key_file (both or neither)"));
        Path key = keyFile.orElseThrow(() -> m.error("key_file", "required together with cert_file (both or neither)"));
        PemFiles.requireCertificates(m.path("cert_file"), cert);
        PemFiles.requirePrivateKey(m.path("key_file"), key);
        ClientAuth auth = clientAuth.orElse(ClientAuth.NO_CLIENT_CERT);
        if (auth == ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT && clientCaFile.isEmpty()) {
            throw m.error("client_ca_file", "required with client_auth_type RequireAndVerifyClientCert "
                    + "(the CA certificate(s) client certificates must be signed by)");
        }
        if (auth == ClientAuth.NO_CLIENT_CERT && clientCaFile.isPresent()) {
            throw m.error("client_auth_type", "is NoClientCert (the default), so client_ca_file would not be used; "
                    + "set client_auth_type: RequireAndVerifyClientCert");
        }
        if (auth == ClientAuth.NO_CLIENT_CERT && !allowedSans.isEmpty()) {
            throw m.error("client_allowed_sans", "needs client_auth_type RequireAndVerifyClientCert");
        }
        if (clientCaFile.isPresent()) {
            PemFiles.requireCertificates(m.path("client_ca_file"), clientCaFile.get());
        }
        return Optional.of(new ServerTls(cert, key, clientCaFile, auth, allowedSans));
    }

    /**
     * One {@code username: hash} entry. The hash is a secret in the sense that it is never shown
     * (and someone may have put a plain password there by mistake): no message quotes it.
     */
    private static Secret bcryptHash(YamlMap users, String username) throws ConfigException {
        if (username.isEmpty()) {
            throw users.error("a username must not be empty");
        }
        if (username.chars().anyMatch(Character::isISOControl)) {
            throw users.error("a username must not contain line breaks or other control characters");
        }
        if (username.indexOf(':') >= 0) {
            throw users.error(username, "a username must not contain \":\" (HTTP basic auth splits user and password at the first colon)");
        }
        Secret hash = users.require(username, users.secret(username));
        String value = hash.reveal();
        if (!BCRYPT.matcher(value).matches()) {
            String reason;
            if (!BCRYPT_PREFIX.matcher(value).matches()) {
                reason = "it does not start with $2a$, $2b$ or $2y$"
                        + (value.startsWith("$") ? " (only bcrypt is supported)" : " (is it a plain password?)");
            } else if (!BCRYPT_COST.matcher(value).matches()) {
                reason = "the cost after the prefix must be two digits from 04 to 31";
            } else if (value.length() != 60) {
                reason = "a bcrypt hash is exactly 60 characters long";
            } else {
                reason = "it contains characters a bcrypt hash cannot have";
            }
            throw users.error(username, "expected a bcrypt hash: " + reason + "; " + HTPASSWD_HINT);
        }
        return hash;
    }
}
