package dev.patchtide.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.events.BusMessages.PutEventsRequest;
import dev.patchtide.server.events.BusMessages.PutEventsRequestEntry;
import dev.patchtide.server.events.BusMessages.PutEventsResponse;
import dev.patchtide.server.events.BusMessages.PutEventsResultEntry;
import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * PutEvents: each entry is checked on its own and answered in order, with an {@code EventId} or an
 * {@code ErrorCode}/{@code ErrorMessage} (as EventBridge: a bad entry does not fail the others). The
 * accepted events and their deliveries are committed in one transaction.
 */
final class PutEvents {
    private final Jdbi jdbi;
    private final EventRouter router;
    private final EventsArns arns;
    private final InstantSource clock;

    PutEvents(Jdbi jdbi, EventRouter router, EventsArns arns, InstantSource clock) {
        this.jdbi = jdbi;
        this.router = router;
        this.arns = arns;
        this.clock = clock;
    }

    private record Checked(String bus, Optional<EventEnvelope> event, PutEventsResultEntry error) {}

    PutEventsResponse put(PutEventsRequest q) {
        List<Checked> checked = q.entries().stream().map(this::check).toList();
        List<PutEventsResultEntry> results = jdbi.inTransaction(h -> {
            List<PutEventsResultEntry> out = new ArrayList<>();
            for (Checked c : checked) {
                if (c.event().isEmpty()) {
                    out.add(c.error());
                } else if (router.ingest(h, c.bus(), c.event().get())) {
                    out.add(new PutEventsResultEntry(c.event().get().id(), null, null));
                } else {
                    out.add(new PutEventsResultEntry(
                            null, "ResourceNotFoundException", "Event bus " + c.bus() + " does not exist."));
                }
            }
            return out;
        });
        int failed = (int) results.stream().filter(r -> r.errorCode() != null).count();
        return new PutEventsResponse(failed, results);
    }

    private Checked check(PutEventsRequestEntry e) {
        String bus = EventsArns.busName(e.eventBusName());
        if (blank(e.source())) {
            return failed(
                    bus, "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument.");
        }
        if (blank(e.detailType())) {
            return failed(
                    bus,
                    "InvalidArgument",
                    "Parameter DetailType is not valid. Reason: DetailType is a required argument.");
        }
        if (e.detail() == null) {
            return failed(
                    bus, "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument.");
        }
        if (e.source().startsWith("aws.")) {
            return failed(bus, "NotAuthorizedForSourceException", "Not authorized for the source.");
        }
        Optional<ObjectNode> detail = parseObject(e.detail());
        if (detail.isEmpty()) {
            return failed(bus, "MalformedDetail", "Detail is malformed.");
        }
        EventEnvelope.Builder builder = EventEnvelope.builder(e.source(), e.detailType())
                .detail(detail.get())
                .id(UUID.randomUUID().toString());
        Objects.requireNonNullElse(e.resources(), List.<String>of()).forEach(builder::resource);
        return new Checked(
                bus,
                Optional.of(builder.build(
                        arns.account(), arns.region(), Objects.requireNonNullElseGet(e.time(), clock::instant))),
                null);
    }

    private static Checked failed(String bus, String code, String message) {
        return new Checked(bus, Optional.empty(), new PutEventsResultEntry(null, code, message));
    }

    private static Optional<ObjectNode> parseObject(String text) {
        try {
            JsonNode node = EventEnvelope.JSON.readTree(text);
            return node instanceof ObjectNode o ? Optional.of(o) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
