package io.rcimport.exporter.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the files a configuration names (config.yaml itself, {@code targets_file}, PEM files),
 * turning every failure into a {@link ConfigException} for the key that named the file. Messages
 * give the file's path, never its content.
 */
final class ConfigFiles {
    /** PEM files are a few kilobytes; anything bigger is not one. */
    static final long MAX_PEM_BYTES = 1024 * 1024;
    /** Room for tens of thousands of targets. */
    static final long MAX_TARGETS_FILE_BYTES = 16 * 1024 * 1024;

    private ConfigFiles() {
    }

    /**
     * The whole file as UTF-8 text.
     *
     * @param key  the key that named the file ("" for config.yaml itself)
     * @param what how messages call the file: "config file", "file"
     */
    static String readText(String key, String what, Path file, long maxBytes) throws ConfigException {
        requireReadableSize(key, what, file, maxBytes);
        try {
            return Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new ConfigException(key, what + " " + file + " is not valid UTF-8");
        } catch (IOException e) {
            throw unreadable(key, what, file, e);
        }
    }

    /** The whole file as bytes. */
    static byte[] readBytes(String key, String what, Path file, long maxBytes) throws ConfigException {
        requireReadableSize(key, what, file, maxBytes);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw unreadable(key, what, file, e);
        }
    }

    private static void requireReadableSize(String key, String what, Path file, long maxBytes) throws ConfigException {
        if (Files.isDirectory(file)) {
            throw new ConfigException(key, what + " " + file + " is a directory");
        }
        if (!Files.exists(file)) {
            throw new ConfigException(key, what + " " + file + " does not exist");
        }
        if (maxBytes == Long.MAX_VALUE) {
            return; // config.yaml may also come from a pipe or /dev/stdin
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(key, what + " " + file + " is not a regular file");
        }
        try {
            if (Files.size(file) > maxBytes) {
                throw new ConfigException(key, what + " " + file + " is larger than " + (maxBytes / 1024) + " KiB");
            }
        } catch (IOException e) {
            throw unreadable(key, what, file, e);
        }
    }

    private static ConfigException unreadable(String key, String what, Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new ConfigException(key, what + " " + file + " does not exist");
        }
        if (e instanceof AccessDeniedException) {
            return new ConfigException(key, "cannot read " + what + " " + file + ": permission denied");
        }
        return new ConfigException(key, "cannot read " + what + " " + file + ": " + e.getClass().getSimpleName());
    }
}
