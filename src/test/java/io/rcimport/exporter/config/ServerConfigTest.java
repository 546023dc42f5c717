package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.ONE_TARGET;
import static io.rcimport.exporter.config.ConfigTesting.error;
import static io.rcimport.exporter.config.ConfigTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.rcimport.exporter.config.Config.Server;
import io.rcimport.exporter.config.Config.ServerTls;
import io.rcimport.exporter.config.Config.WebAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code server.tls}, {@code server.basic_auth_users}, {@code server.bearer_tokens}, {@code server.enable_reload}. */
class ServerConfigTest {
    static final Path TLS = Path.of("src/test/resources/tls").toAbsolutePath();
    static final Path CERT = TLS.resolve("server-cert.pem");
    static final Path KEY = TLS.resolve("server-key.pem");
    /** bcrypt of "secret", cost 10, made by libxcrypt's crypt(3). */
    static final String HASH = "$2b$10$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFy";

    private static void assertError(ConfigException e, String key, String... fragments) {
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "expected \"" + fragment + "\" in: " + e.getMessage());
        }
    }

    private static Server server(String yaml) throws ConfigException {
        return parse("server:\n" + yaml + ONE_TARGET).server();
    }

    private static ConfigException serverError(String yaml) {
        return error("server:\n" + yaml + ONE_TARGET);
    }

    private static String tls(Path cert, Path key) {
        return "  tls:\n    cert_file: " + cert + "\n    key_file: " + key + "\n";
    }

    // ---- defaults and records ---------------------------------------------------------------

    @Test
    void by_default_the_server_is_plain_http_open_to_all_without_reload() throws ConfigException {
        Server server = parse(ONE_TARGET).server();

        assertEquals(Optional.empty(), server.tls());
        assertEquals(WebAuth.none(), server.auth());
        assertFalse(server.auth().required());
        assertFalse(server.enableReload());
        assertEquals(new Server("0.0.0.0", 9467, Optional.empty(), WebAuth.none(), false), server);
        assertEquals(new Server("0.0.0.0", 9467), server);
    }

    @Test
    void every_server_key_can_be_set() throws ConfigException {
        Server server = server("""
                  host: 127.0.0.1
                  port: 9443
                """ + tls(CERT, KEY) + """
                  basic_auth_users:
                    alice: $2b$10$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFy
                  bearer_tokens: [tok-1, tok-2]
                  enable_reload: true
                """);

        assertEquals(new Server("127.0.0.1", 9443, Optional.of(new ServerTls(CERT, KEY)),
                new WebAuth(Map.of("alice", Secret.of(HASH)), List.of(Secret.of("tok-1"), Secret.of("tok-2"))), true), server);
        assertTrue(server.auth().required());
    }

    // ---- tls ----------------------------------------------------------------------------------

    @Test
    void tls_paths_become_absolute_and_relative_ones_resolve_against_the_config_files_directory(@TempDir Path dir) throws Exception {
        Path certs = Files.createDirectory(dir.resolve("certs"));
        Files.copy(CERT, certs.resolve("cert.pem"));
        Files.copy(KEY, certs.resolve("key.pem"));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "server:\n  tls:\n    cert_file: certs/cert.pem\n    key_file: ./certs/../certs/key.pem\n" + ONE_TARGET);

        ServerTls tls = ConfigLoader.load(config, Map.of()).server().tls().orElseThrow();

        assertEquals(new ServerTls(certs.resolve("cert.pem"), certs.resolve("key.pem")), tls);
        assertTrue(tls.certFile().isAbsolute());
    }

    @Test
    void tls_file_names_can_come_from_the_environment() throws ConfigException {
        Config config = parse("server:\n  tls:\n    cert_file: ${TLS_DIR}/server-cert.pem\n    key_file: ${TLS_DIR}/server-key.pem\n"
                + ONE_TARGET, Map.of("TLS_DIR", TLS.toString()));

        assertEquals(Optional.of(new ServerTls(CERT, KEY)), config.server().tls());
    }

    @Test
    void an_empty_tls_section_means_plain_http() throws ConfigException {
        assertEquals(Optional.empty(), server("  tls: {}\n").tls());
        assertEquals(Optional.empty(), server("  tls:\n").tls());
    }

    @Test
    void cert_file_and_key_file_go_together() {
        assertEquals("server.tls.key_file: required together with cert_file (both or neither)",
                serverError("  tls:\n    cert_file: " + CERT + "\n").getMessage());
        assertEquals("server.tls.cert_file: required together with key_file (both or neither)",
                serverError("  tls:\n    key_file: " + KEY + "\n").getMessage());
    }

    @Test
    void a_missing_tls_file_is_named_with_its_resolved_path(@TempDir Path dir) {
        Path missing = dir.resolve("nope.pem");

        assertEquals("server.tls.cert_file: file " + missing + " does not exist", serverError(tls(missing, KEY)).getMessage());
        assertEquals("server.tls.key_file: file " + missing + " does not exist", serverError(tls(CERT, missing)).getMessage());
        assertEquals("server.tls.cert_file: file " + dir + " is a directory", serverError(tls(dir, KEY)).getMessage());
    }

    @Test
    void an_unreadable_tls_file_is_an_error(@TempDir Path dir) throws Exception {
        Path key = Files.copy(KEY, dir.resolve("key.pem"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(key), "running as root: every file is readable");

        assertEquals("server.tls.key_file: cannot read file " + key + ": permission denied", serverError(tls(CERT, key)).getMessage());
    }

    @Test
    void swapped_cert_and_key_files_are_recognised() {
        assertError(serverError(tls(KEY, CERT)), "server.tls.cert_file", "holds no certificate", "are cert_file and key_file swapped?");
        assertError(serverError(tls(CERT, CERT)), "server.tls.key_file", "holds no private key", "are cert_file and key_file swapped?");
    }

    @Test
    void tls_files_must_be_pem(@TempDir Path dir) throws Exception {
        Path der = Files.write(dir.resolve("cert.der"), new byte[] {0x30, (byte) 0x82, 0x01, 0x0a, 0x02});
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");

        assertError(serverError(tls(der, KEY)), "server.tls.cert_file", "is not a PEM file", "converted to PEM");
        assertError(serverError(tls(CERT, empty)), "server.tls.key_file", "is not a PEM file", "it is empty");
    }

    @Test
    void a_certificate_block_that_does_not_parse_is_an_error(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");

        assertEquals("server.tls.cert_file: certificate 1 in " + broken + " is not a valid X.509 certificate",
                serverError(tls(broken, KEY)).getMessage());
    }

    @Test
    void a_certificate_chain_and_a_combined_cert_and_key_file_are_accepted(@TempDir Path dir) throws Exception {
        Path chain = Files.writeString(dir.resolve("chain.pem"), Files.readString(CERT) + Files.readString(TLS.resolve("ca-cert.pem")));
        Path combined = Files.writeString(dir.resolve("combined.pem"), Files.readString(KEY) + Files.readString(CERT));

        assertEquals(new ServerTls(chain, KEY), server(tls(chain, KEY)).tls().orElseThrow());
        assertEquals(new ServerTls(combined, combined), server(tls(combined, combined)).tls().orElseThrow());
    }

    @Test
    void a_traditional_rsa_key_is_accepted_but_an_encrypted_key_is_not() throws ConfigException {
        assertTrue(server(tls(CERT, TLS.resolve("rsa-pkcs1-key.pem"))).tls().isPresent());
        assertError(serverError(tls(CERT, TLS.resolve("encrypted-key.pem"))), "server.tls.key_file",
                "is encrypted, which is not supported", "openssl pkey");
    }

    @Test
    void a_misspelt_tls_key_is_reported_as_a_typo() {
        assertEquals("server.tls.cert_fle: unknown key (did you mean \"cert_file\"?)",
                serverError("  tls:\n    cert_fle: " + CERT + "\n    key_file: " + KEY + "\n").getMessage());
    }

    @Test
    void an_empty_tls_file_name_is_an_error() {
        assertError(serverError("  tls:\n    cert_file: ''\n    key_file: " + KEY + "\n"), "server.tls.cert_file", "must not be empty");
    }

    // ---- basic_auth_users ---------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "$2a$10$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFy",
            "$2b$04$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFy",
            "$2y$31$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFy",
    })
    void bcrypt_hashes_of_every_variant_and_cost_are_accepted(String hash) throws ConfigException {
        assertEquals(Map.of("alice", Secret.of(hash)), server("  basic_auth_users:\n    alice: " + hash + "\n").auth().basicAuthUsers());
    }

    @Test
    void several_users_and_hashes_from_the_environment() throws ConfigException {
        Config config = parse("""
                server:
                  basic_auth_users:
                    alice: ${ALICE_HASH}
                    bob: "$2y$12$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFy"
                """ + ONE_TARGET, Map.of("ALICE_HASH", HASH));

        assertEquals(Map.of("alice", Secret.of(HASH), "bob", Secret.of("$2y$12$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFy")),
                config.server().auth().basicAuthUsers());
        assertEquals(List.of(), config.server().auth().bearerTokens());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "plain password              | hunter2                                                      | it does not start with $2a$, $2b$ or $2y$ (is it a plain password?)",
            "md5crypt                    | $1$abcdefgh$0123456789abcdefghijkl                           | it does not start with $2a$, $2b$ or $2y$ (only bcrypt is supported)",
            "unknown bcrypt variant      | $2x$10$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFy | it does not start with $2a$, $2b$ or $2y$ (only bcrypt is supported)",
            "cost too low                | $2b$03$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFy | the cost after the prefix must be two digits from 04 to 31",
            "cost too high               | $2b$32$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFy | the cost after the prefix must be two digits from 04 to 31",
            "one-digit cost              | $2b$9$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFyx | the cost after the prefix must be two digits from 04 to 31",
            "truncated                   | $2b$10$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeF  | a bcrypt hash is exactly 60 characters long",
            "too long                    | $2b$10$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXeFyy | a bcrypt hash is exactly 60 characters long",
            "character outside the set   | $2b$10$3nCfs95k6cyYRYQTtcV5LetRKwQO6lADuD0SFveds5itEV4dhXe+y | it contains characters a bcrypt hash cannot have",
    })
    void a_value_that_is_not_a_bcrypt_hash_is_an_error_that_says_how_to_make_one(String description, String value, String reason) {
        ConfigException e = serverError("  basic_auth_users:\n    alice: '" + value + "'\n");

        assertEquals("server.basic_auth_users.alice: expected a bcrypt hash: " + reason
                + "; generate one with: htpasswd -nbBC 10 '' PASSWORD | tr -d ':\\n'", e.getMessage());
    }

    @Test
    void an_empty_hash_is_an_error() {
        assertError(serverError("  basic_auth_users:\n    alice:\n"), "server.basic_auth_users.alice", "must not be empty");
        assertError(error("server:\n  basic_auth_users:\n    alice: ${H}\n" + ONE_TARGET, Map.of("H", "")),
                "server.basic_auth_users.alice", "must not be empty");
    }

    @Test
    void a_username_must_not_contain_a_colon_or_be_empty() {
        assertError(serverError("  basic_auth_users:\n    'a:b': " + HASH + "\n"), "server.basic_auth_users.a:b", "must not contain \":\"");
        assertError(serverError("  basic_auth_users:\n    '': " + HASH + "\n"), "server.basic_auth_users", "a username must not be empty");
    }

    @Test
    void basic_auth_users_must_be_a_mapping() {
        assertError(serverError("  basic_auth_users:\n    - alice\n"), "server.basic_auth_users", "expected a mapping of keys, got a list");
    }

    @Test
    void an_empty_basic_auth_users_mapping_means_no_basic_auth() throws ConfigException {
        assertEquals(WebAuth.none(), server("  basic_auth_users: {}\n").auth());
    }

    // ---- bearer_tokens ------------------------------------------------------------------------

    @Test
    void bearer_tokens_are_secrets_expanded_from_the_environment() throws ConfigException {
        Config config = parse("server:\n  bearer_tokens:\n    - ${TOKEN_A}\n    - static-token\n" + ONE_TARGET, Map.of("TOKEN_A", "aaa"));

        assertEquals(List.of(Secret.of("aaa"), Secret.of("static-token")), config.server().auth().bearerTokens());
        assertEquals("[***, ***]", config.server().auth().bearerTokens().toString());
        assertTrue(config.server().auth().required());
    }

    @Test
    void an_empty_bearer_token_is_an_error_naming_its_index() {
        assertEquals("server.bearer_tokens[1]: must not be empty",
                error("server:\n  bearer_tokens: [ok, '${EMPTY}']\n" + ONE_TARGET, Map.of("EMPTY", "")).getMessage());
        assertEquals("server.bearer_tokens[0]: must not be empty", serverError("  bearer_tokens: ['']\n").getMessage());
    }

    @Test
    void a_bearer_token_must_be_one_word() {
        assertEquals("server.bearer_tokens[0]: must not contain spaces (a bearer token is the single word after \"Bearer \")",
                serverError("  bearer_tokens: ['abc def']\n").getMessage());
        assertError(serverError("  bearer_tokens: [\"abc\\n\"]\n"), "server.bearer_tokens[0]", "control characters");
    }

    @Test
    void bearer_tokens_must_be_a_list_of_strings() {
        assertError(serverError("  bearer_tokens: abc\n"), "server.bearer_tokens", "expected a list, got a single value");
        assertError(serverError("  bearer_tokens:\n    - {token: abc}\n"), "server.bearer_tokens[0]", "expected a string, got a mapping");
    }

    @Test
    void an_empty_bearer_token_list_means_no_bearer_auth() throws ConfigException {
        assertEquals(WebAuth.none(), server("  bearer_tokens: []\n").auth());
        assertEquals(WebAuth.none(), server("  bearer_tokens:\n").auth());
    }

    // ---- enable_reload ------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({"true, true", "false, false", "True, true", "FALSE, false", "'\"true\"', true"})
    void enable_reload_takes_true_or_false(String value, boolean expected) throws ConfigException {
        assertEquals(expected, server("  enable_reload: " + value + "\n").enableReload());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"yes", "on", "1", "''"})
    void enable_reload_takes_nothing_but_true_or_false(String value) {
        assertError(serverError("  enable_reload: " + value + "\n"), "server.enable_reload", "expected true or false, got \"");
    }

    @Test
    void a_wrong_type_for_enable_reload_is_an_error() {
        assertEquals("server.enable_reload: expected true or false, got a list", serverError("  enable_reload: [true]\n").getMessage());
    }

    @Test
    void the_record_never_prints_a_hash_or_token() throws ConfigException {
        WebAuth auth = server("  basic_auth_users: {alice: '" + HASH + "'}\n  bearer_tokens: [tok-visible]\n").auth();

        assertFalse(auth.toString().contains("3nCfs95k") || auth.toString().contains("tok-visible"), auth.toString());
        assertTrue(auth.toString().contains("alice"), auth.toString());
        assertThrows(UnsupportedOperationException.class, () -> auth.bearerTokens().add(Secret.of("x")));
    }

    // ---- mutual TLS ---------------------------------------------------------------------------

    private static final Path CA = TLS.resolve("ca-cert.pem");

    @Test
    void mutual_tls_reads_the_client_ca_the_auth_type_and_the_allowed_sans() throws ConfigException {
        ServerTls tls = server(tls(CERT, KEY) + "    client_ca_file: " + CA + "\n    client_auth_type: RequireAndVerifyClientCert\n"
                + "    client_allowed_sans: [prometheus.monitoring.svc, spiffe://cluster/ns/monitoring/sa/prometheus]\n").tls().orElseThrow();
        assertEquals(ServerTls.mutual(CERT, KEY, CA, List.of("prometheus.monitoring.svc", "spiffe://cluster/ns/monitoring/sa/prometheus")), tls);
        assertEquals(Config.ClientAuth.NO_CLIENT_CERT, server(tls(CERT, KEY)).tls().orElseThrow().clientAuthType());
        assertEquals(new ServerTls(CERT, KEY), server(tls(CERT, KEY) + "    client_auth_type: NoClientCert\n").tls().orElseThrow());
    }

    @Test
    void mutual_tls_errors_name_the_key() {
        assertError(serverError(tls(CERT, KEY) + "    client_auth_type: RequireAnyClientCert\n"), "server.tls.client_auth_type",
                "unknown value \"RequireAnyClientCert\"", "(allowed: NoClientCert, RequireAndVerifyClientCert)");
        assertError(serverError(tls(CERT, KEY) + "    client_auth_type: RequireAndVerifyClientCert\n"), "server.tls.client_ca_file",
                "required with client_auth_type RequireAndVerifyClientCert");
        assertError(serverError(tls(CERT, KEY) + "    client_ca_file: " + CA + "\n"), "server.tls.client_auth_type",
                "would not be used");
        assertError(serverError(tls(CERT, KEY) + "    client_allowed_sans: [a]\n"), "server.tls.client_allowed_sans",
                "needs client_auth_type RequireAndVerifyClientCert");
        assertError(serverError("  tls:\n    client_ca_file: " + CA + "\n"), "server.tls.client_ca_file", "needs cert_file and key_file");
        assertError(serverError(tls(CERT, KEY) + "    client_ca_file: " + KEY + "\n    client_auth_type: RequireAndVerifyClientCert\n"),
                "server.tls.client_ca_file", "holds no certificate");
        assertError(serverError(tls(CERT, KEY) + "    client_ca_file: " + TLS.resolve("nope.pem") + "\n"
                + "    client_auth_type: RequireAndVerifyClientCert\n"), "server.tls.client_ca_file", "does not exist");
        assertError(serverError(tls(CERT, KEY) + "    client_auth: RequireAndVerifyClientCert\n"), "server.tls.client_auth", "client_auth_type");
    }
}
