package io.rcimport.exporter.config;

import static io.rcimport.exporter.config.ConfigTesting.ONE_TARGET;
import static io.rcimport.exporter.config.ConfigTesting.error;
import static io.rcimport.exporter.config.ConfigTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rcimport.exporter.config.Config.Shard;
import io.rcimport.exporter.config.Config.Target;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code shard: {index, count}} and the hash that assigns targets to shards. */
class ShardTest {
    private static final String THREE_TARGETS = """
            targets:
              - {name: main, url: "https://a.example.com", user_id: u, auth_token: t}
              - {name: staging, url: "https://b.example.com", user_id: u, auth_token: t}
              - {name: a, url: "https://c.example.com", user_id: u, auth_token: t}
            """;

    private static void assertError(ConfigException e, String key, String fragment) {
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected \"" + fragment + "\" in: " + e.getMessage());
    }

    // ---- the hash ---------------------------------------------------------------------------

    /**
     * The assignment is a contract between the agents of a fleet, across versions and JVMs.
     * Expected values computed independently:
     * {@code python3 -c "import hashlib; print(int.from_bytes(hashlib.md5(b'main').digest()[8:], 'big') % 3)"}.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "main,     4650cfefac2fcd61, 1, 1, 2",
            "staging,  00891405dfc14824, 0, 2, 1",
            "prod-eu,  a99a599c913be643, 1, 1, 4",
            "prod-us,  f66fc588329911b4, 0, 1, 0",
            "a,        31c399e269772661, 1, 1, 2",
            "chat-001, e3a85f7dda4ee45d, 1, 2, 2",
    })
    void the_hash_is_the_last_8_bytes_of_md5_as_an_unsigned_big_endian_integer(
            String name, String hex, int of2, int of3, int of5) {
        assertEquals(Long.parseUnsignedLong(hex, 16), Shard.hash(name));
        assertEquals(of2, new Shard(0, 2).shardOf(name));
        assertEquals(of3, new Shard(0, 3).shardOf(name));
        assertEquals(of5, new Shard(0, 5).shardOf(name));
        assertTrue(new Shard(of3, 3).owns(name));
        assertEquals(of3 == 0, new Shard(0, 3).owns(name));
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 10, 16})
    void a_thousand_names_split_into_shards_each_name_in_exactly_one_and_roughly_evenly(int count) {
        List<String> names = IntStream.range(0, 1000).mapToObj(i -> String.format("target-%03d", i)).toList();
        int[] owned = new int[count];
        for (String name : names) {
            int owners = 0;
            for (int index = 0; index < count; index++) {
                if (new Shard(index, count).owns(name)) {
                    owners++;
                    owned[index]++;
                }
            }
            assertEquals(1, owners, name + " must belong to exactly one of " + count + " shards");
        }
        assertEquals(1000, IntStream.of(owned).sum());
        // Binomial spread: within 4 standard deviations of the even share.
        double even = 1000.0 / count;
        double tolerance = 4 * Math.sqrt(1000 * (1.0 / count) * (1 - 1.0 / count));
        for (int index = 0; index < count; index++) {
            assertTrue(Math.abs(owned[index] - even) <= tolerance,
                    "shard " + index + " of " + count + " owns " + owned[index] + ", expected about " + even);
        }
    }

    @Test
    void a_shard_of_one_owns_every_name() {
        for (String name : List.of("main", "", "x", "ä-non-ascii")) {
            assertTrue(Shard.defaults().owns(name));
        }
    }

    @Test
    void an_impossible_shard_cannot_be_built() {
        assertThrows(IllegalArgumentException.class, () -> new Shard(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Shard(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> new Shard(2, 2));
    }

    // ---- configuration ----------------------------------------------------------------------

    @Test
    void by_default_the_agent_is_not_sharded_and_owns_every_target() throws ConfigException {
        Config config = parse(THREE_TARGETS);

        assertEquals(new Shard(0, 1), config.shard());
        assertEquals(config.targets(), config.ownedTargets());
    }

    @Test
    void a_shard_owns_the_targets_whose_names_hash_to_its_index() throws ConfigException {
        // main -> 1, staging -> 2, a -> 1 (of 3), see the hash test.
        List<String> owned = parse("shard: {index: 1, count: 3}\n" + THREE_TARGETS)
                .ownedTargets().stream().map(Target::name).toList();
        assertEquals(List.of("main", "a"), owned);
        assertEquals(List.of(), parse("shard: {index: 0, count: 3}\n" + THREE_TARGETS).ownedTargets());
        assertEquals(List.of("staging"), parse("shard: {index: 2, count: 3}\n" + THREE_TARGETS)
                .ownedTargets().stream().map(Target::name).toList());
        assertEquals(3, parse("shard: {index: 2, count: 3}\n" + THREE_TARGETS).targets().size());
    }

    @Test
    void a_shard_may_own_no_target_at_all() throws ConfigException {
        // Not an error: the fleet may grow into it.
        assertEquals(List.of(), parse("shard: {index: 0, count: 3}\n" + ONE_TARGET).ownedTargets());
    }

    @Test
    void the_index_can_come_from_the_environment() throws ConfigException {
        Config config = parse("shard:\n  index: ${SHARD_INDEX}\n  count: 4\n" + ONE_TARGET, Map.of("SHARD_INDEX", "3"));

        assertEquals(new Shard(3, 4), config.shard());
    }

    @Test
    void the_index_must_be_less_than_the_count() {
        assertEquals("shard.index: must be less than shard.count (3), got 3 (the agents of a fleet of 3 have the indexes 0 to 2)",
                error("shard: {index: 3, count: 3}\n" + ONE_TARGET).getMessage());
        assertError(error("shard: {index: 1}\n" + ONE_TARGET), "shard.index", "must be less than shard.count (1 (the default)), got 1");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{index: -1, count: 2} | shard.index | expected an integer of at least 0, got -1",
            "{index: x, count: 2}  | shard.index | expected an integer of at least 0, got \"x\"",
            "{index: 0, count: 0}  | shard.count | expected an integer of at least 1, got 0",
            "{count: 1.5}          | shard.count | expected an integer of at least 1, got \"1.5\"",
            "{idx: 1, count: 2}    | shard.idx   | unknown key (did you mean \"index\"?)",
            "3                     | shard       | expected a mapping of keys, got a single value",
    })
    void bad_shard_settings_name_the_key(String shard, String key, String fragment) {
        assertError(error("shard: " + shard + "\n" + ONE_TARGET), key, fragment);
    }
}
