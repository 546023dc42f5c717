package io.rcimport.exporter.alert;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A WireMock server standing in for an Alertmanager or a webhook: answers POSTs to one path and
 * remembers them. WireMock journals a request once it has been answered.
 */
final class Receiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final WireMockServer server = new WireMockServer(options().dynamicPort());
    final String path;

    Receiver(String path) {
        this.path = path;
        server.start();
    }

    /** Answers every POST with {@code status} (lowest priority: a later {@link #answer} wins). */
    Receiver answering(int status) {
        server.stubFor(post(urlEqualTo(path)).atPriority(10).willReturn(aResponse().withStatus(status)));
        return this;
    }

    /** Answers with {@code status} until the returned stub is removed. */
    StubMapping answer(int status) {
        return server.stubFor(post(urlEqualTo(path)).atPriority(1).willReturn(aResponse().withStatus(status)));
    }

    StubMapping answerAfter(int status, int delayMillis) {
        return server.stubFor(post(urlEqualTo(path)).atPriority(1)
                .willReturn(aResponse().withStatus(status).withFixedDelay(delayMillis)));
    }

    void remove(StubMapping stub) {
        server.removeStub(stub);
    }

    /** The server itself, e.g. {@code http://localhost:43121} */
    URI base() {
        return URI.create(server.baseUrl());
    }

    URI url() {
        return URI.create(server.baseUrl() + path);
    }

    /** Requests answered so far, oldest first. */
    List<LoggedRequest> requests() {
        return server.findAll(postRequestedFor(urlEqualTo(path)));
    }

    int count() {
        return requests().size();
    }

    /** Bodies of the requests answered so far, oldest first, as JSON. */
    List<JsonNode> bodies() {
        List<JsonNode> out = new ArrayList<>();
        for (LoggedRequest r : requests()) {
            out.add(parse(r.getBodyAsString()));
        }
        return out;
    }

    /** The JSON bodies of requests answered with {@code status}, oldest first. */
    List<JsonNode> bodiesAnswered(int status) {
        List<ServeEvent> events = new ArrayList<>(server.getAllServeEvents());
        java.util.Collections.reverse(events); // WireMock lists the newest first
        List<JsonNode> out = new ArrayList<>();
        for (ServeEvent e : events) {
            if (e.getRequest().getUrl().equals(path) && e.getResponse().getStatus() == status) {
                out.add(parse(e.getRequest().getBodyAsString()));
            }
        }
        return out;
    }

    static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
