package dev.patchtide.server.workflows;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.workflow.run.HistoryEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * One step's history events as stored in {@code sfn_history_steps.packed}, read back as GetExecutionHistory lists
 * them. A state's input and output are the whole document, and each appears twice in a step (a state's output is
 * the next state's input; the last output is also the execution's), as a JSON string escaped inside the event: a
 * pass-chain start stored ≈ 20 KB of history. Here each distinct input/output string is stored once, unescaped,
 * and the events refer to it; the whole is deflated (fast level) in this JVM, so a short execution's step is a
 * row of one or two kilobytes that PostgreSQL keeps inline instead of compressing it again into its TOAST table.
 *
 * <p>Layout, inside the deflate stream: version byte 1; the number of payloads, then each as its UTF-8 length and
 * bytes; then the number of references, each an (event index, member, payload) triple of ints, member 0 for
 * {@code input} and 1 for {@code output} of the event's details; then the events as the JSON array listed before
 * this format (V31's text), with each referred member written as null, so that it keeps its place.
 */
final class PackedHistory {
    private static final int VERSION = 1;
    private static final String[] MEMBERS = {"input", "output"};
    private static final ObjectMapper JSON = ApiJson.documents();
    /** Numbers read back exactly as written: the timestamps are decimals of milliseconds. */
    static final ObjectMapper STORED = JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    /**
     * Deflaters hold native buffers (≈ 256 KB each) that are slow to set up: a few are kept for the next steps, and
     * one made for a burst beyond them is released after use.
     */
    private static final ArrayBlockingQueue<Deflater> DEFLATERS = new ArrayBlockingQueue<>(8);

    private PackedHistory() {}

    static byte[] pack(List<HistoryEvent> events) {
        Map<String, Integer> index = new HashMap<>();
        List<String> payloads = new ArrayList<>();
        List<int[]> refs = new ArrayList<>();
        ByteArrayOutputStream skeleton = new ByteArrayOutputStream(128 * events.size());
        try (JsonGenerator out = JSON.createGenerator(skeleton)) {
            out.writeStartArray();
            for (int i = 0; i < events.size(); i++) {
                HistoryEvent e = events.get(i);
                out.writeStartObject();
                out.writeNumberField(
                        "timestamp", BigDecimal.valueOf(e.timestamp().toEpochMilli(), 3));
                out.writeStringField("type", e.type());
                out.writeNumberField("id", e.id());
                out.writeNumberField("previousEventId", e.previousEventId());
                if (e.detailsKey() != null && e.details() != null) {
                    out.writeFieldName(e.detailsKey());
                    writeDetails(out, i, e.details(), index, payloads, refs);
                }
                out.writeEndObject();
            }
            out.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Deflater deflater = DEFLATERS.poll();
        if (deflater == null) {
            deflater = new Deflater(Deflater.BEST_SPEED, true);
        }
        ByteArrayOutputStream packed = new ByteArrayOutputStream(1024 + skeleton.size() / 4);
        try (DataOutputStream data = new DataOutputStream(new DeflaterOutputStream(packed, deflater, 8192))) {
            data.writeByte(VERSION);
            data.writeInt(payloads.size());
            for (String payload : payloads) {
                byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
                data.writeInt(bytes.length);
                data.write(bytes);
            }
            data.writeInt(refs.size());
            for (int[] ref : refs) {
                data.writeInt(ref[0]);
                data.writeInt(ref[1]);
                data.writeInt(ref[2]);
            }
            skeleton.writeTo(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deflater.reset();
            if (!DEFLATERS.offer(deflater)) {
                deflater.end();
            }
        }
        return packed.toByteArray();
    }

    /** The details as they are, but a textual input or output written as null and noted as a reference. */
    private static void writeDetails(
            JsonGenerator out,
            int event,
            ObjectNode details,
            Map<String, Integer> index,
            List<String> payloads,
            List<int[]> refs)
            throws IOException {
        out.writeStartObject();
        for (Map.Entry<String, JsonNode> member : details.properties()) {
            int which = member.getValue().isTextual() ? memberCode(member.getKey()) : -1;
            out.writeFieldName(member.getKey());
            if (which < 0) {
                JSON.writeTree(out, member.getValue());
                continue;
            }
            String text = member.getValue().textValue();
            Integer payload = index.get(text);
            if (payload == null) {
                payload = payloads.size();
                payloads.add(text);
                index.put(text, payload);
            }
            refs.add(new int[] {event, which, payload});
            out.writeNull();
        }
        out.writeEndObject();
    }

    private static int memberCode(String name) {
        for (int i = 0; i < MEMBERS.length; i++) {
            if (MEMBERS[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The events of a step stored by {@link #pack}, as GetExecutionHistory lists them. */
    static List<ObjectNode> unpack(byte[] packed) {
        Inflater inflater = new Inflater(true);
        try (DataInputStream data = new DataInputStream(new InflaterInputStream(
                new java.io.ByteArrayInputStream(packed), inflater, Math.max(512, packed.length)))) {
            int version = data.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalStateException("history step stored in an unknown format " + version);
            }
            String[] payloads = new String[data.readInt()];
            for (int i = 0; i < payloads.length; i++) {
                byte[] bytes = new byte[data.readInt()];
                data.readFully(bytes);
                payloads[i] = new String(bytes, StandardCharsets.UTF_8);
            }
            int[][] refs = new int[data.readInt()][];
            for (int i = 0; i < refs.length; i++) {
                refs[i] = new int[] {data.readInt(), data.readInt(), data.readInt()};
            }
            ArrayNode events = (ArrayNode) STORED.readTree(data);
            for (int[] ref : refs) {
                ObjectNode event = (ObjectNode) events.get(ref[0]);
                detailsOf(event).put(MEMBERS[ref[1]], payloads[ref[2]]);
            }
            List<ObjectNode> out = new ArrayList<>(events.size());
            events.forEach(e -> out.add((ObjectNode) e));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("unreadable history step", e);
        } finally {
            inflater.end();
        }
    }

    /** A step stored before this format (V31): the events as one JSON array of text. */
    static List<ObjectNode> listed(String step) {
        try {
            List<ObjectNode> out = new ArrayList<>();
            STORED.readTree(step).forEach(e -> out.add((ObjectNode) e));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("unreadable history step", e);
        }
    }

    /** An event's details: its one object member (timestamp, type, id and previousEventId are not objects). */
    private static ObjectNode detailsOf(ObjectNode event) {
        for (Map.Entry<String, JsonNode> member : event.properties()) {
            if (member.getValue() instanceof ObjectNode details) {
                return details;
            }
        }
        throw new IllegalStateException("history event without details: " + event);
    }
}
