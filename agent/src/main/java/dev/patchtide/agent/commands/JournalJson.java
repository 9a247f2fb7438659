package dev.patchtide.agent.commands;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.JsonCodec;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Invocations and journal entries in and out with jackson-core alone: the daemon that runs commands loads none of
 * databind's (de)serializers, which would stay loaded (and resident) for the rest of its life. The bytes are the
 * ones the agent's mapper wrote for these records before (members in declaration order, null members left out,
 * instants as epoch seconds with nine decimals), so a journal written by an older agent reads back the same, and
 * one written here reads in an older agent. Reading takes what the mapper took: members in any order, unknown
 * members skipped, absent numbers and flags 0 and false, instants as numbers or ISO-8601 text.
 */
final class JournalJson {
    private JournalJson() {}

    static byte[] write(JournalEntry entry) {
        return JsonCodec.write(members(entry));
    }

    static Map<String, Object> members(JournalEntry entry) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Invocation", entry.invocation() == null ? null : members(entry.invocation()));
        m.put("State", entry.state() == null ? null : entry.state().name());
        m.put("Started", entry.started());
        List<Map<String, Object>> steps = new ArrayList<>();
        for (StepRecord step : entry.steps()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("Name", step.name());
            s.put("Action", step.action());
            s.put("Status", step.status());
            s.put("ResponseCode", step.responseCode());
            s.put("Start", step.start());
            s.put("End", step.end());
            steps.add(s);
        }
        m.put("Steps", steps);
        m.put("RebootStep", entry.rebootStep());
        m.put("Reboots", entry.reboots());
        JournalEntry.Outcome outcome = entry.outcome();
        if (outcome != null) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("Status", outcome.status());
            o.put("StatusDetails", outcome.statusDetails());
            o.put("ResponseCode", outcome.responseCode());
            o.put("End", outcome.end());
            m.put("Outcome", o);
        }
        m.put("InProgressSent", entry.inProgressSent());
        m.put("ResultSent", entry.resultSent());
        return m;
    }

    static Map<String, Object> members(Invocation invocation) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("CommandId", invocation.commandId());
        m.put("InstanceId", invocation.instanceId());
        m.put("DocumentName", invocation.documentName());
        m.put("DocumentVersion", invocation.documentVersion());
        m.put("Parameters", invocation.parameters());
        m.put("Plan", invocation.plan());
        m.put("ExecutionTimeoutSeconds", invocation.executionTimeoutSeconds());
        m.put("RequestedDateTime", invocation.requestedDateTime());
        return m;
    }

    /** A journal file's entry; the IOException names the member it could not take. */
    static JournalEntry read(byte[] json) throws IOException {
        try (JsonParser p = JsonCodec.parser(json)) {
            return entry(p, p.nextToken());
        }
    }

    /** An invocation as the server hands it out (a tree of the poll's answer). */
    static Invocation invocation(JsonNode item) throws IOException {
        try (JsonParser p = item.traverse()) {
            return invocation(p, p.nextToken());
        }
    }

    private static JournalEntry entry(JsonParser p, JsonToken start) throws IOException {
        object(start, "the entry");
        Invocation invocation = null;
        JournalEntry.State state = null;
        Instant started = null;
        List<StepRecord> steps = List.of();
        int rebootStep = 0;
        int reboots = 0;
        JournalEntry.Outcome outcome = null;
        boolean inProgressSent = false;
        boolean resultSent = false;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "Invocation" -> invocation = v == JsonToken.VALUE_NULL ? null : invocation(p, v);
                case "State" -> state = state(p, v);
                case "Started" -> started = instant(p, v, name);
                case "Steps" -> steps = steps(p, v);
                case "RebootStep" -> rebootStep = integer(p, v, name);
                case "Reboots" -> reboots = integer(p, v, name);
                case "Outcome" -> outcome = v == JsonToken.VALUE_NULL ? null : outcome(p, v);
                case "InProgressSent" -> inProgressSent = flag(p, v, name);
                case "ResultSent" -> resultSent = flag(p, v, name);
                default -> p.skipChildren(); // a newer agent's member
            }
        }
        // without these the entry cannot be told apart or ordered: unreadable, not a crash of the whole journal
        if (invocation == null || state == null || started == null) {
            throw new IOException("the entry lacks Invocation, State or Started");
        }
        return new JournalEntry(
                invocation, state, started, steps, rebootStep, reboots, outcome, inProgressSent, resultSent);
    }

    private static Invocation invocation(JsonParser p, JsonToken start) throws IOException {
        object(start, "Invocation");
        String commandId = null;
        String instanceId = null;
        String documentName = null;
        String documentVersion = null;
        JsonNode parameters = null;
        JsonNode plan = null;
        Integer timeout = null;
        Instant requested = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "CommandId" -> commandId = text(p, v, name);
                case "InstanceId" -> instanceId = text(p, v, name);
                case "DocumentName" -> documentName = text(p, v, name);
                case "DocumentVersion" -> documentVersion = text(p, v, name);
                case "Parameters" -> parameters = JsonCodec.readNode(p, v);
                case "Plan" -> plan = JsonCodec.readNode(p, v);
                case "ExecutionTimeoutSeconds" ->
                    timeout = v == JsonToken.VALUE_NULL ? null : Integer.valueOf(integer(p, v, name));
                case "RequestedDateTime" -> requested = instant(p, v, name);
                default -> p.skipChildren();
            }
        }
        return new Invocation(
                commandId, instanceId, documentName, documentVersion, parameters, plan, timeout, requested);
    }

    private static List<StepRecord> steps(JsonParser p, JsonToken start) throws IOException {
        if (start == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (start != JsonToken.START_ARRAY) {
            throw new IOException("Steps: not a list");
        }
        List<StepRecord> steps = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            object(t, "Steps");
            String stepName = null;
            String action = null;
            String status = null;
            int code = 0;
            Instant begin = null;
            Instant end = null;
            for (JsonToken f = p.nextToken(); f != JsonToken.END_OBJECT; f = p.nextToken()) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "Name" -> stepName = text(p, v, "Steps.Name");
                    case "Action" -> action = text(p, v, "Steps.Action");
                    case "Status" -> status = text(p, v, "Steps.Status");
                    case "ResponseCode" -> code = integer(p, v, "Steps.ResponseCode");
                    case "Start" -> begin = instant(p, v, "Steps.Start");
                    case "End" -> end = instant(p, v, "Steps.End");
                    default -> p.skipChildren();
                }
            }
            steps.add(new StepRecord(stepName, action, status, code, begin, end));
        }
        return steps;
    }

    private static JournalEntry.Outcome outcome(JsonParser p, JsonToken start) throws IOException {
        object(start, "Outcome");
        String status = null;
        String details = null;
        int code = 0;
        Instant end = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "Status" -> status = text(p, v, "Outcome.Status");
                case "StatusDetails" -> details = text(p, v, "Outcome.StatusDetails");
                case "ResponseCode" -> code = integer(p, v, "Outcome.ResponseCode");
                case "End" -> end = instant(p, v, "Outcome.End");
                default -> p.skipChildren();
            }
        }
        return new JournalEntry.Outcome(status, details, code, end);
    }

    private static JournalEntry.State state(JsonParser p, JsonToken v) throws IOException {
        String name = text(p, v, "State");
        try {
            return name == null ? null : JournalEntry.State.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IOException("State: not a state the agent knows");
        }
    }

    private static void object(JsonToken token, String what) throws IOException {
        if (token != JsonToken.START_OBJECT) {
            throw new IOException(what + ": not a JSON object");
        }
    }

    /** A scalar as text (the mapper took a number or a flag for a text member too), null for null. */
    private static String text(JsonParser p, JsonToken v, String name) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (!v.isScalarValue()) {
            throw new IOException(name + ": not a text");
        }
        return p.getText();
    }

    private static int integer(JsonParser p, JsonToken v, String name) throws IOException {
        try {
            return switch (v) {
                case VALUE_NULL -> 0;
                case VALUE_NUMBER_INT -> p.getIntValue();
                case VALUE_STRING -> Integer.parseInt(p.getText().strip());
                default -> throw new IOException(name + ": not a whole number");
            };
        } catch (NumberFormatException | com.fasterxml.jackson.core.exc.InputCoercionException e) {
            throw new IOException(name + ": not a whole number of the int range");
        }
    }

    private static boolean flag(JsonParser p, JsonToken v, String name) throws IOException {
        return switch (v) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE, VALUE_NULL -> false;
            default -> throw new IOException(name + ": not true or false");
        };
    }

    /**
     * Epoch seconds with up to nine decimals (taken exactly, as written: a double would lose the nanoseconds),
     * whole epoch seconds, or ISO-8601 text.
     */
    private static Instant instant(JsonParser p, JsonToken v, String name) throws IOException {
        try {
            return switch (v) {
                case VALUE_NULL -> null;
                case VALUE_NUMBER_INT -> Instant.ofEpochSecond(p.getLongValue());
                case VALUE_NUMBER_FLOAT -> epochSeconds(p.getDecimalValue());
                case VALUE_STRING -> {
                    String text = p.getText().strip();
                    try {
                        yield Instant.parse(text);
                    } catch (DateTimeParseException e) {
                        yield epochSeconds(new BigDecimal(text));
                    }
                }
                default -> throw new IOException(name + ": not a time");
            };
        } catch (NumberFormatException
                | ArithmeticException
                | com.fasterxml.jackson.core.exc.InputCoercionException e) {
            throw new IOException(name + ": not a time");
        }
    }

    private static Instant epochSeconds(BigDecimal seconds) {
        BigDecimal whole = seconds.setScale(0, RoundingMode.DOWN);
        int nanos = seconds.subtract(whole).movePointRight(9).intValue();
        return Instant.ofEpochSecond(whole.longValueExact(), nanos);
    }
}
