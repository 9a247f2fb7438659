package dev.patchtide.server.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Collects constraint violations of one request and reports them all at once, worded as AWS does
 * ("2 validation errors detected: Value … at 'iamRole' failed to satisfy constraint: …"), so scripts
 * written against AWS see familiar messages. Field names are the request members in lower camel case.
 */
public final class Validation {
    private static final int QUOTED = 64;

    private final List<String> errors = new ArrayList<>();

    public Validation required(String field, Object value) {
        if (value == null) {
            errors.add("Value null at '" + field + "' failed to satisfy constraint: Member must not be null");
        }
        return this;
    }

    public Validation length(String field, String value, int min, int max) {
        if (value != null && value.length() < min) {
            violation(field, value, "Member must have length greater than or equal to " + min);
        } else if (value != null && value.length() > max) {
            violation(field, value, "Member must have length less than or equal to " + max);
        }
        return this;
    }

    public Validation size(String field, Collection<?> value, int min, int max) {
        if (value != null && value.size() < min) {
            violation(field, value, "Member must have length greater than or equal to " + min);
        } else if (value != null && value.size() > max) {
            violation(field, value, "Member must have length less than or equal to " + max);
        }
        return this;
    }

    public Validation range(String field, Integer value, int min, int max) {
        if (value != null && value < min) {
            violation(field, value, "Member must have value greater than or equal to " + min);
        } else if (value != null && value > max) {
            violation(field, value, "Member must have value less than or equal to " + max);
        }
        return this;
    }

    public Validation pattern(String field, String value, Pattern pattern) {
        if (value != null && !pattern.matcher(value).matches()) {
            violation(field, value, "Member must satisfy regular expression pattern: " + pattern.pattern());
        }
        return this;
    }

    public Validation oneOf(String field, String value, Collection<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            violation(field, value, "Member must satisfy enum value set: " + allowed);
        }
        return this;
    }

    /** For rules that do not fit the helpers above; the message is used as is. */
    public Validation check(boolean ok, String message) {
        if (!ok) {
            errors.add(message);
        }
        return this;
    }

    public void throwIfInvalid() {
        if (errors.isEmpty()) {
            return;
        }
        String count = errors.size() == 1 ? "1 validation error" : errors.size() + " validation errors";
        throw ApiException.validation(count + " detected: " + String.join("; ", errors));
    }

    /**
     * At most the first {@value #QUOTED} characters of {@code value}, marked when cut: for quoting caller input in
     * a message, which must never send a megabyte value back (or fill a log with it).
     */
    public static String clip(Object value) {
        String text = String.valueOf(value);
        if (text.length() <= QUOTED) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(QUOTED - 1)) ? QUOTED - 1 : QUOTED;
        return text.substring(0, end) + "...(" + text.length() + " characters)";
    }

    /**
     * A member name as AWS writes it in a path ({@code Tags} becomes {@code tags}), clipped: for paths built
     * from the caller's own member names and map keys.
     */
    static String memberName(String name) {
        String clipped = clip(name);
        if (clipped.isEmpty() || !Character.isUpperCase(clipped.charAt(0))) {
            return clipped;
        }
        return Character.toLowerCase(clipped.charAt(0)) + clipped.substring(1);
    }

    private void violation(String field, Object value, String constraint) {
        errors.add("Value '" + clip(value) + "' at '" + field + "' failed to satisfy constraint: " + constraint);
    }
}
