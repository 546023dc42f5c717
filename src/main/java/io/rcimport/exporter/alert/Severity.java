package io.rcimport.exporter.alert;

import java.util.Locale;

/** Alert severities, lowest first; {@code info} needs a person but nothing is wrong. */
public enum Severity {
    INFO, WARNING, CRITICAL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
