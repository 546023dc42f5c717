package io.rcimport.exporter.rocketchat;

/** A 200 answer that is not a usable {@code import.status} body. The message names what is wrong. */
public final class InvalidResponseException extends Exception {
    public InvalidResponseException(String message) {
        super(message);
    }
}
