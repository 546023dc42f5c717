package io.rcimport.exporter;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The build's version, from a resource Maven fills in (works from the jar and from target/classes). */
public final class Version {
    private Version() {
    }

    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream("/rcie-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
