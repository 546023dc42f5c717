package io.rcimport.exporter.config;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in a configuration value from the
 * environment; {@code $$} is a literal {@code $}, and a {@code $} followed by anything else is
 * kept as it is. The default is used when the variable is unset or empty (as in the shell) and
 * runs to the first {@code }}. Replaced text is not scanned again.
 *
 * <p>Error messages name the key and the variable, never the value: the value may be a secret.
 */
final class EnvExpander {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String SYNTAX = "write ${NAME} or ${NAME:-default}, and $$ for a literal $";

    private final Map<String, String> env;

    EnvExpander(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    String expand(String key, String text) throws ConfigException {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 == text.length()) {
                out.append(c);
                i++;
            } else if (text.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
            } else if (text.charAt(i + 1) == '{') {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    throw new ConfigException(key, "unterminated ${ (" + SYNTAX + ")");
                }
                out.append(variable(key, text.substring(i + 2, close)));
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** {@code reference} is what stands between the braces: {@code NAME} or {@code NAME:-default}. */
    private String variable(String key, String reference) throws ConfigException {
        int separator = reference.indexOf(":-");
        String name = separator < 0 ? reference : reference.substring(0, separator);
        if (!NAME.matcher(name).matches()) {
            // The name is not echoed: a value with a stray "${" may be a password.
            throw new ConfigException(key, "invalid environment variable reference; variable names are letters, "
                    + "digits and _, not starting with a digit (" + SYNTAX + ")");
        }
        String value = env.get(name);
        if (separator >= 0 && (value == null || value.isEmpty())) {
            return reference.substring(separator + 2);
        }
        if (value == null) {
            throw new ConfigException(key, "environment variable " + name + " is not set");
        }
        return value;
    }
}
