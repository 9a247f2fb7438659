package dev.patchtide.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;

/**
 * Rejects text PostgreSQL cannot store (the NUL character, and UTF-16 halves without their pair, which would
 * be stored as '?') anywhere in a request tree: member names, map keys, list items, at any depth. Every wire
 * (the JSON protocols, SNS's form parameters turned into a tree, the dashboard) runs its tree through here
 * before binding, so no action needs its own check and no such text reaches the database as a 500.
 */
public final class StorableText {
    private static final String CONSTRAINT =
            "Member must not contain the NUL character or unpaired surrogate code units";

    private StorableText() {}

    /** Throws a {@code ValidationException} naming the first offending member, AWS style ({@code tags.1.member.value}). */
    public static void check(JsonNode tree) {
        find(tree).ifPresent(path -> {
            throw ApiException.validation(
                    "1 validation error detected: Value at '" + path + "' failed to satisfy constraint: " + CONSTRAINT);
        });
    }

    /** The path of the first member holding text that cannot be stored, if any. */
    public static Optional<String> find(JsonNode tree) {
        Deque<String> path = new ArrayDeque<>();
        return walk(tree, path) ? Optional.of(name(path)) : Optional.empty();
    }

    /** True if {@code node} holds unstorable text; {@code path} then leads to it (built only on the way down). */
    private static boolean walk(JsonNode node, Deque<String> path) {
        if (node.isTextual()) {
            return !storable(node.textValue());
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                path.addLast((i + 1) + ".member");
                if (walk(node.get(i), path)) {
                    return true;
                }
                path.removeLast();
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                if (!storable(member.getKey())) {
                    // The key itself cannot be quoted, so the path names the map holding it.
                    path.addLast("(key)");
                    return true;
                }
                path.addLast(Validation.memberName(member.getKey()));
                if (walk(member.getValue(), path)) {
                    return true;
                }
                path.removeLast();
            }
        }
        return false;
    }

    /** True if PostgreSQL stores {@code text} unchanged. */
    public static boolean storable(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** As {@link #storable(CharSequence)}, for {@code length} chars of {@code chars} from {@code offset}. */
    static boolean storable(char[] chars, int offset, int length) {
        return storable(java.nio.CharBuffer.wrap(chars, offset, length));
    }

    private static String name(Deque<String> path) {
        return path.isEmpty() ? "(body)" : Validation.clip(String.join(".", path));
    }
}
