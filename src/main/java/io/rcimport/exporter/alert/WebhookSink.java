package io.rcimport.exporter.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rcimport.exporter.config.Config;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/** Posts every state change and alert start/end to one webhook, as {@code json} or {@code rocketchat}. */
public final class WebhookSink implements AlertSink {
    static final int QUEUE_CAPACITY = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Config.WebhookFormat format;
    private final DeliveryQueue queue;

    public WebhookSink(String name, Config.Webhook webhook, HttpClient http, ScheduledExecutorService timer,
                       DeliveryCounter counter) {
        this.format = webhook.format();
        this.queue = new DeliveryQueue(name, webhook.url(), webhook.headers(), QUEUE_CAPACITY, false,
                http, timer, Duration.ofSeconds(10), counter);
    }

    @Override
    public void onEvent(ImportEvent event) {
        Object body = format == Config.WebhookFormat.ROCKETCHAT ? EventJson.rocketChatMessage(event) : EventJson.event(event);
        try {
            queue.offer(new DeliveryQueue.Payload(JSON.writeValueAsBytes(body), "application/json"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
