package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.EventBus;
import software.amazon.awssdk.services.eventbridge.model.ListEventBusesResponse;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.eventbridge.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.eventbridge.model.ResourceNotFoundException;

class EventBusApiTest {
    static EventsFixture f;

    @BeforeAll
    static void start() {
        f = new EventsFixture();
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void defaultBusAlwaysExistsAndCustomBusesComeAndGo() {
        var described = f.events.describeEventBus(b -> {});
        assertThat(described.name()).isEqualTo("default");
        assertThat(described.arn()).isEqualTo("arn:aws:events:us-east-1:123456789012:event-bus/default");

        var created = f.events.createEventBus(b -> b.name("ops-bus").description("ops events"));
        assertThat(created.eventBusArn()).isEqualTo("arn:aws:events:us-east-1:123456789012:event-bus/ops-bus");
        assertThatThrownBy(() -> f.events.createEventBus(b -> b.name("ops-bus")))
                .isInstanceOf(ResourceAlreadyExistsException.class);
        assertThat(f.events.describeEventBus(b -> b.name(created.eventBusArn())).description())
                .isEqualTo("ops events");

        f.events.createEventBus(b -> b.name("ops-bus-2"));
        ListEventBusesResponse prefixed =
                f.events.listEventBuses(b -> b.namePrefix("ops-").limit(1));
        assertThat(prefixed.eventBuses()).extracting(EventBus::name).containsExactly("ops-bus");
        ListEventBusesResponse next =
                f.events.listEventBuses(b -> b.namePrefix("ops-").limit(1).nextToken(prefixed.nextToken()));
        assertThat(next.eventBuses()).extracting(EventBus::name).containsExactly("ops-bus-2");
        assertThat(next.nextToken()).isNull();

        f.events.deleteEventBus(b -> b.name("ops-bus-2"));
        assertThatThrownBy(() -> f.events.describeEventBus(b -> b.name("ops-bus-2")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("Event bus ops-bus-2 does not exist.");
        assertThatThrownBy(() -> f.events.deleteEventBus(b -> b.name("default")))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("Cannot delete event bus default.");
        assertThatThrownBy(() -> f.events.createEventBus(b -> b.name("bad name")))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining("'name' failed to satisfy constraint");
    }

    @Test
    void putEventsAnswersEachEntryAndStoresTheFullEnvelope() throws Exception {
        Instant when = Instant.parse("2026-05-01T18:48:11Z");
        PutEventsResponse response = f.events.putEvents(b -> b.entries(
                PutEventsRequestEntry.builder()
                        .source("my.app")
                        .detailType("Order Placed")
                        .detail("{\"order\":42}")
                        .resources("arn:aws:ec2:us-east-1:123456789012:instance/i-1")
                        .time(when)
                        .build(),
                PutEventsRequestEntry.builder()
                        .source("my.app")
                        .detailType("Broken")
                        .detail("[1,2]")
                        .build(),
                PutEventsRequestEntry.builder()
                        .detailType("No source")
                        .detail("{}")
                        .build(),
                PutEventsRequestEntry.builder()
                        .source("aws.ssm")
                        .detailType("Spoofed")
                        .detail("{}")
                        .build(),
                PutEventsRequestEntry.builder()
                        .source("my.app")
                        .detailType("Nowhere")
                        .detail("{}")
                        .eventBusName("no-such-bus")
                        .build()));

        assertThat(response.failedEntryCount()).isEqualTo(4);
        assertThat(response.entries().get(0).eventId()).isNotNull();
        assertThat(response.entries().get(0).errorCode()).isNull();
        assertThat(response.entries().get(1).errorCode()).isEqualTo("MalformedDetail");
        assertThat(response.entries().get(2).errorCode()).isEqualTo("InvalidArgument");
        assertThat(response.entries().get(2).errorMessage()).contains("Source is a required argument");
        assertThat(response.entries().get(3).errorCode()).isEqualTo("NotAuthorizedForSourceException");
        assertThat(response.entries().get(4).errorCode()).isEqualTo("ResourceNotFoundException");

        String id = response.entries().get(0).eventId();
        String stored = f.server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT envelope FROM events WHERE event_id = CAST(:id AS uuid)")
                .bind("id", id)
                .mapTo(String.class)
                .one());
        JsonNode event = new ObjectMapper().readTree(stored);
        assertThat(event.path("version").asText()).isEqualTo("0");
        assertThat(event.path("id").asText()).isEqualTo(id);
        assertThat(event.path("detail-type").asText()).isEqualTo("Order Placed");
        assertThat(event.path("source").asText()).isEqualTo("my.app");
        assertThat(event.path("account").asText()).isEqualTo("123456789012");
        assertThat(event.path("time").asText()).isEqualTo("2026-05-01T18:48:11Z");
        assertThat(event.path("region").asText()).isEqualTo("us-east-1");
        assertThat(event.path("resources").get(0).asText())
                .isEqualTo("arn:aws:ec2:us-east-1:123456789012:instance/i-1");
        assertThat(event.path("detail").path("order").asInt()).isEqualTo(42);
    }

    @Test
    void putEventsRefusesMoreThanTenEntries() {
        List<PutEventsRequestEntry> eleven = java.util.Collections.nCopies(
                11,
                PutEventsRequestEntry.builder()
                        .source("a")
                        .detailType("b")
                        .detail("{}")
                        .build());
        assertThatThrownBy(() -> f.events.putEvents(b -> b.entries(eleven)))
                .isInstanceOf(EventBridgeException.class)
                .hasMessageContaining(
                        "'entries' failed to satisfy constraint: Member must have length less than or equal to 10");
    }
}
