package io.rcimport.exporter.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rcimport.exporter.config.Config;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts every state change and alert start/end to one webhook, as {@code json} or {@code rocketchat},
 * at most {@code max_per_minute} posts a minute: events beyond that go out together as one
 * {@link Digest} in the next post.
 */
public final class WebhookSink implements AlertSink {
    private static final Logger LOG = LoggerFactory.getLogger("alert");
    static final int QUEUE_CAPACITY = 256;
    /** A digest tells at most this many events (the newest); older ones are counted as dropped and logged. */
    static final int MAX_DIGEST_EVENTS = QUEUE_CAPACITY;
    /** Rocket.Chat answers 500 to a wrong integration id or token: give up after this many attempts. */
    static final int ROCKETCHAT_500_ATTEMPTS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Config.Webhook webhook;
    private final DeliveryCounter counter;
    private final DeliveryQueue queue;
    private final Function<String, Map<String, String>> targetLabels;

    public WebhookSink(String name, Config.Webhook webhook, HttpClient http, ScheduledExecutorService timer,
                       DeliveryCounter counter) {
        this(name, webhook, http, timer, counter, Clock.systemUTC());
    }

    public WebhookSink(String name, Config.Webhook webhook, HttpClient http, ScheduledExecutorService timer,
                       DeliveryCounter counter, Clock clock) {
        this(name, webhook, http, timer, counter, clock, target -> Map.of());
    }

    /** @param targetLabels a target's configured labels, read per event (a reload may change them) */
    public WebhookSink(String name, Config.Webhook webhook, HttpClient http, ScheduledExecutorService timer,
                       DeliveryCounter counter, Clock clock, Function<String, Map<String, String>> targetLabels) {
        this.targetLabels = targetLabels;
        this.name = name;
        this.webhook = webhook;
        this.counter = counter;
        boolean rocketChat = webhook.format() == Config.WebhookFormat.ROCKETCHAT;
        DeliveryPolicy policy = new DeliveryPolicy(
                new HookRateLimit(webhook.maxPerMinute(), clock),
                webhook.maxPerMinute() > 0 ? this::merge : null,
                rocketChat ? ROCKETCHAT_500_ATTEMPTS : 0,
                "check the hook URL (Rocket.Chat answers 500 to a wrong integration id or token)",
                clock);
        this.queue = new DeliveryQueue(name, webhook.url(), webhook.headers(), QUEUE_CAPACITY, false,
                http, timer, Duration.ofSeconds(10), counter, policy);
    }

    @Override
    public void onEvent(ImportEvent unlabelled) {
        ImportEvent event = unlabelled.labels().isEmpty() ? unlabelled.withLabels(targetLabels.apply(unlabelled.target())) : unlabelled;
        Object body = webhook.format() == Config.WebhookFormat.ROCKETCHAT ? EventJson.rocketChatMessage(event) : EventJson.event(event);
        queue.offer(new DeliveryQueue.Payload(bytes(body), "application/json", List.of(event)));
    }

    /** The events of all of them, oldest first, as one digest post. */
    private DeliveryQueue.Payload merge(List<DeliveryQueue.Payload> payloads) {
        List<ImportEvent> events = new ArrayList<>();
        payloads.forEach(p -> events.addAll(p.events()));
        if (events.size() > MAX_DIGEST_EVENTS) {
            int excess = events.size() - MAX_DIGEST_EVENTS;
            events.subList(0, excess).clear();
            for (int i = 0; i < excess; i++) {
                counter.count(name, DeliveryQueue.DROPPED);
            }
            LOG.warn("sink={} event=delivery_dropped reason=digest_full dropped={} msg=\"the oldest events of a digest "
                    + "longer than {} events\"", name, excess, MAX_DIGEST_EVENTS);
        }
        Object body = webhook.format() == Config.WebhookFormat.ROCKETCHAT
                ? Digest.rocketChatMessage(events, webhook.maxPerMinute())
                : Digest.json(events);
        return new DeliveryQueue.Payload(bytes(body), "application/json", events);
    }

    private static byte[] bytes(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A post not delivered yet, as bytes: what is kept across a restart. */
    public record Waiting(String contentType, byte[] body) {
    }

    public String name() {
        return name;
    }

    public Config.Webhook webhook() {
        return webhook;
    }

    /** The posts not delivered yet, oldest first. */
    public List<Waiting> waiting() {
        return queue.waiting().stream().map(p -> new Waiting(p.contentType(), p.body())).toList();
    }

    /** Posts kept across a restart: sent before anything newer, oldest first, each as it was. */
    public void restore(List<Waiting> kept) {
        queue.restore(kept.stream().map(w -> new DeliveryQueue.Payload(w.body(), w.contentType())).toList());
    }

    /** Who is told when the waiting posts change (to keep them on disk). */
    public void onChange(Runnable listener) {
        queue.onChange(listener);
    }

    @Override
    public void close() {
        queue.close();
    }
}
