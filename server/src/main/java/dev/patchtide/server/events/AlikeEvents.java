package dev.patchtide.server.events;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Many events alike but for their id and one value that stands in some of their strings (a command's invocations
 * changing status together: only the instance differs, in a resource ARN and in the detail). The envelope is
 * serialized once; each event's text is the template's pieces with its id and value spliced in, where building each
 * event on its own costs two JSON trees, a deep copy and a serialization. The text is the one that path writes (same
 * members, same order, same escaping), so a stored event does not tell which way it was made.
 *
 * <pre>{@code
 * var event = publisher.event("aws.ssm", "EC2 Command Invocation Status-change Notification")
 *         .resource(publisher.instanceArn(AlikeEvents.VALUE));
 * event.detail().put("instance-id", AlikeEvents.VALUE).put("status", "InProgress");
 * publisher.publishAlike(handle, publisher.alike(event, now), instanceIds);
 * }</pre>
 */
public final class AlikeEvents {
    /**
     * Stands for each event's own value in the prototype's strings (resources, detail members). Every occurrence is
     * replaced, so the prototype's other strings must not hold it (a command's event: ids, validated document
     * names and fixed statuses cannot).
     */
    public static final String VALUE = "@@patchtide-alike-value@@";

    private static final String ID = "@@patchtide-alike-id@@";

    private final Instant time;
    /** The serialized prototype around its holes: pieces[0] hole[0] pieces[1] … pieces[n]. */
    private final String[] pieces;
    /** Per hole: true for the event's id, false for its value. */
    private final boolean[] idHole;

    AlikeEvents(EventEnvelope.Builder prototype, String account, String region, Instant time) {
        EventEnvelope event = prototype.id(ID).build(account, region, time);
        this.time = event.time();
        String text = TargetInput.text(event.toJson());
        List<String> parts = new ArrayList<>();
        List<Boolean> holes = new ArrayList<>();
        int from = 0;
        while (true) {
            int id = text.indexOf(ID, from);
            int value = text.indexOf(VALUE, from);
            if (id < 0 && value < 0) {
                break;
            }
            boolean isId = value < 0 || (id >= 0 && id < value);
            int at = isId ? id : value;
            parts.add(text.substring(from, at));
            holes.add(isId);
            from = at + (isId ? ID : VALUE).length();
        }
        parts.add(text.substring(from));
        this.pieces = parts.toArray(String[]::new);
        this.idHole = new boolean[holes.size()];
        for (int i = 0; i < idHole.length; i++) {
            idHole[i] = holes.get(i);
        }
    }

    /** The envelope's time (whole seconds), the same for every event of the template. */
    Instant time() {
        return time;
    }

    /** The event's text with {@code id} and {@code value} in their places. */
    String text(String id, String value) {
        String quotedId = quoted(id);
        String quotedValue = quoted(value);
        StringBuilder out = new StringBuilder(pieces[0].length() * 2 + 256);
        out.append(pieces[0]);
        for (int i = 0; i < idHole.length; i++) {
            out.append(idHole[i] ? quotedId : quotedValue).append(pieces[i + 1]);
        }
        return out.toString();
    }

    /** The event as a tree, for the rare bus that matches or archives it. */
    static ObjectNode tree(String text) {
        try {
            return (ObjectNode) EventEnvelope.JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("a spliced event is not JSON", e);
        }
    }

    /** As the JSON generator escapes a string's characters (no quotes around: they are in the template). */
    private static String quoted(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return new String(JsonStringEncoder.getInstance().quoteAsString(s));
            }
        }
        return s;
    }
}
