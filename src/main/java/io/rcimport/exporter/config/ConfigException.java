package io.rcimport.exporter.config;

/**
 * A configuration that cannot be used. The message always names the key (as a path such as
 * {@code targets[1].url}) and says what is wrong; it never contains a secret value.
 */
public final class ConfigException extends Exception {
    private final String key;

    public ConfigException(String key, String problem) {
        super(key.isEmpty() ? problem : key + ": " + problem);
        this.key = key;
    }

    /** The offending key path, or empty for a problem with the file as a whole. */
    public String key() {
        return key;
    }
}
