package dev.patchtide.server.events;

import dev.patchtide.server.delivery.Deliverer;
import dev.patchtide.server.delivery.PendingDelivery;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/** A test server with an EventBridge client and recording deliverers for the target kinds events enqueues. */
final class EventsFixture implements AutoCloseable {
    static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:patch-alerts";

    final MutableClock clock;
    final TestServer server;
    final EventBridgeClient events;
    final Recording topics = new Recording(TargetDelivery.SNS_TOPIC);
    final Recording apiDestinations = new Recording(TargetDelivery.API_DESTINATION);

    EventsFixture() {
        this(MutableClock.ofNow());
    }

    EventsFixture(MutableClock clock) {
        this(clock, TestServer.start(clock));
    }

    EventsFixture(MutableClock clock, TestServer server) {
        this.clock = clock;
        this.server = server;
        server.deliveries().replace(topics);
        server.deliveries().replace(apiDestinations);
        this.events = client(server);
    }

    static EventBridgeClient client(TestServer server) {
        return EventBridgeClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())))
                .build();
    }

    /** Stored event envelopes, oldest first. */
    List<String> storedEvents() {
        return server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT envelope FROM events ORDER BY received_at, event_time")
                .mapTo(String.class)
                .list());
    }

    @Override
    public void close() {
        events.close();
        server.close();
    }

    static final class Recording implements Deliverer {
        private final String kind;
        final ConcurrentLinkedQueue<PendingDelivery> received = new ConcurrentLinkedQueue<>();

        Recording(String kind) {
            this.kind = kind;
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public void deliver(PendingDelivery delivery) {
            received.add(delivery);
        }

        List<String> payloads() {
            return received.stream().map(d -> d.delivery().payload()).toList();
        }
    }
}
