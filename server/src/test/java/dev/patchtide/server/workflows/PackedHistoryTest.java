package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.workflow.run.HistoryEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A packed step lists exactly what the step stored as V31's JSON text listed: same members, order and text. */
class PackedHistoryTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Instant T0 = Instant.parse("2026-12-03T03:00:00Z");

    @Test
    void listsEveryKindOfDetailsAsTheTextFormDid() {
        String odd = "{\"quote\":\"\\\"\",\"slash\":\"\\\\\",\"line\":\"a\\nb\",\"tab\":\"\\t\","
                + "\"unicode\":\"é漢字😀\",\"control\":\"\\u0001\"}";
        List<HistoryEvent> events = new ArrayList<>();
        events.add(event(
                1,
                0,
                T0,
                "ExecutionStarted",
                "executionStartedEventDetails",
                details()
                        .put("input", odd)
                        .set("inputDetails", NODES.objectNode().put("truncated", false))));
        ObjectNode entered = details().put("name", "Prepare").put("input", odd);
        entered.set("inputDetails", NODES.objectNode().put("truncated", false));
        events.add(event(2, 1, T0.plusMillis(120), "PassStateEntered", "stateEnteredEventDetails", entered));
        ObjectNode exited = details().put("name", "Prepare").put("output", "");
        exited.set("outputDetails", NODES.objectNode().put("truncated", false));
        exited.putObject("assignedVariables").put("x", "{\"input\":1}");
        exited.set("assignedVariablesDetails", NODES.objectNode().put("truncated", false));
        events.add(event(3, 2, T0.plusMillis(999), "PassStateExited", "stateExitedEventDetails", exited));
        events.add(event(
                4,
                3,
                T0.plusSeconds(1),
                "MapIterationStarted",
                "mapIterationStartedEventDetails",
                details().put("name", "Each").put("index", 7)));
        events.add(event(5, 4, T0.plusSeconds(1), "WaitStateAborted", null, null));
        events.add(event(
                6,
                5,
                T0.plusSeconds(2),
                "TaskScheduled",
                "taskScheduledEventDetails",
                details()
                        .put("resourceType", "lambda")
                        .put("resource", "invoke")
                        .put("region", "us-east-1")
                        .put("parameters", odd)
                        .put("timeoutInSeconds", 30)));
        // Not a string: stored as it is, not as a reference.
        events.add(event(
                7,
                6,
                T0.plusSeconds(2),
                "TaskSucceeded",
                "taskSucceededEventDetails",
                details().put("output", 42)));
        events.add(event(
                8,
                7,
                T0.plusSeconds(3),
                "ExecutionFailed",
                "executionFailedEventDetails",
                details().put("error", "States.Runtime").putNull("cause")));
        ObjectNode succeeded = details().put("output", "");
        events.add(event(9, 8, T0.plusSeconds(3), "ExecutionSucceeded", "executionSucceededEventDetails", succeeded));

        List<ObjectNode> unpacked = PackedHistory.unpack(PackedHistory.pack(events));

        assertThat(listed(unpacked)).isEqualTo(textForm(events));
        assertThat(unpacked.get(1).get("stateEnteredEventDetails").get("input").textValue())
                .isEqualTo(odd);
        assertThat(unpacked.get(6)
                        .get("taskSucceededEventDetails")
                        .get("output")
                        .isInt())
                .isTrue();
    }

    @Test
    void aLongStepWithRepeatedDocumentsIsStoredSmallAndReadBackWhole() {
        StringBuilder doc = new StringBuilder("{\"patches\":[");
        for (int i = 0; i < 2_000; i++) {
            doc.append(i == 0 ? "" : ",").append("{\"id\":\"KB").append(i).append("\",\"severity\":\"Important\"}");
        }
        String input = doc.append("]}").toString();
        List<HistoryEvent> events = new ArrayList<>();
        events.add(event(
                1,
                0,
                T0,
                "ExecutionStarted",
                "executionStartedEventDetails",
                details().put("input", input)));
        for (int i = 0; i < 300; i++) {
            long id = events.size() + 1;
            ObjectNode d = details().put("name", "S" + i).put(i % 2 == 0 ? "input" : "output", input);
            events.add(event(
                    id,
                    id - 1,
                    T0.plusMillis(i),
                    i % 2 == 0 ? "PassStateEntered" : "PassStateExited",
                    i % 2 == 0 ? "stateEnteredEventDetails" : "stateExitedEventDetails",
                    d));
        }
        String text = textForm(events);

        byte[] packed = PackedHistory.pack(events);

        // 301 copies of an 85 KB document: one stored, and deflated.
        assertThat(text.length()).isGreaterThan(25_000_000);
        assertThat(packed.length).isLessThan(input.length());
        assertThat(listed(PackedHistory.unpack(packed))).isEqualTo(text);
    }

    @Test
    void stepsStoredAsTextBeforeArePassedOnAsTheyWere() {
        List<HistoryEvent> events = List.of(event(
                1,
                0,
                T0.plusMillis(10),
                "ExecutionStarted",
                "executionStartedEventDetails",
                details().put("input", "{\"a\":1.50}")));
        String text = textForm(events);

        assertThat(listed(PackedHistory.listed(text))).isEqualTo(text);
        assertThat(text)
                .contains(
                        "\"timestamp\":" + BigDecimal.valueOf(T0.plusMillis(10).toEpochMilli(), 3));
    }

    private static ObjectNode details() {
        return NODES.objectNode();
    }

    private static HistoryEvent event(long id, long previous, Instant at, String type, String key, ObjectNode d) {
        return new HistoryEvent(id, previous, at, type, key, d);
    }

    private static String listed(List<ObjectNode> events) {
        ArrayNode array = ApiJson.documents().createArrayNode();
        events.forEach(array::add);
        return array.toString();
    }

    /** The text V31 stored for a step (Host's listing before packing), the form GetExecutionHistory answered. */
    private static String textForm(List<HistoryEvent> events) {
        ArrayNode listed = ApiJson.documents().createArrayNode();
        for (HistoryEvent e : events) {
            ObjectNode wire = listed.addObject()
                    .put("timestamp", BigDecimal.valueOf(e.timestamp().toEpochMilli(), 3))
                    .put("type", e.type())
                    .put("id", e.id())
                    .put("previousEventId", e.previousEventId());
            if (e.detailsKey() != null && e.details() != null) {
                wire.set(e.detailsKey(), e.details());
            }
        }
        return listed.toString();
    }
}
