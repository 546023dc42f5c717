package io.rcimport.exporter.alert;

import java.util.Locale;

public enum Severity {
    WARNING, CRITICAL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
