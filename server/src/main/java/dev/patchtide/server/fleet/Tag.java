package dev.patchtide.server.fleet;

import dev.patchtide.server.api.Validation;
import java.util.List;
import java.util.regex.Pattern;

/** A resource tag, as SSM's {@code Tag} shape. */
public record Tag(String key, String value) {
    static final Pattern TEXT = Pattern.compile("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$");

    /**
     * AWS reserves the {@code aws:} prefix for its own tags, in any letter case ("aws:", "AWS:", "Aws:"),
     * and refuses a request that tries to set one: nothing of the request is applied.
     */
    public static boolean reservedKey(String key) {
        return key != null && key.regionMatches(true, 0, "aws:", 0, 4);
    }

    /** The one wording for a reserved key, for every action that takes tags. */
    public static void checkNotReserved(String field, String key, Validation v) {
        v.check(
                !reservedKey(key),
                "Tag key at '" + field + "' failed to satisfy constraint: the prefix 'aws:' (in any case) is"
                        + " reserved for AWS");
    }

    public static void validate(List<Tag> tags, String field, Validation v) {
        if (tags == null) {
            return;
        }
        for (int i = 0; i < tags.size(); i++) {
            Tag tag = tags.get(i);
            String at = field + "." + (i + 1);
            if (tag == null) {
                v.required(at, null);
                continue;
            }
            v.required(at + ".member.key", tag.key())
                    .length(at + ".member.key", tag.key(), 1, 128)
                    .pattern(at + ".member.key", tag.key(), TEXT)
                    .required(at + ".member.value", tag.value())
                    .length(at + ".member.value", tag.value(), 0, 256)
                    .pattern(at + ".member.value", tag.value(), TEXT);
            checkNotReserved(at + ".member.key", tag.key(), v);
        }
    }
}
