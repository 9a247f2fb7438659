package dev.patchtide.server.api;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.time.temporal.Temporal;
import java.util.Collection;
import java.util.Map;

/**
 * Words a binding failure for the caller: the member's path in AWS's style and what kind of value it wants.
 * Jackson's own messages name Java types ({@code Cannot deserialize value of type dev.patchtide...}), which
 * are none of the caller's business and change with every refactoring.
 */
final class BindingErrors {
    private BindingErrors() {}

    static String describe(JsonMappingException e) {
        String path = path(e);
        String where = path.isEmpty() ? "the request body" : "'" + path + "'";
        if (e instanceof MismatchedInputException mismatch) {
            String expected = expected(mismatch.getTargetType());
            if (mismatch instanceof InvalidFormatException bad && bad.getValue() != null) {
                return "Value '" + Validation.clip(bad.getValue()) + "' at " + where + " is not " + expected;
            }
            return "Value at " + where + " must be " + expected;
        }
        return "Value at " + where + " is not valid";
    }

    /** {@code tags.1.member.value}: members in lower camel case, list items counted from 1 as AWS does. */
    static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference step : e.getPath()) {
            if (!out.isEmpty()) {
                out.append('.');
            }
            if (step.getFieldName() != null) {
                out.append(Validation.memberName(step.getFieldName()));
            } else {
                out.append(step.getIndex() + 1).append(".member");
            }
        }
        return out.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == String.class || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type.isEnum()) {
            return "one of the allowed values";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "a timestamp";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a structure";
        }
        return "of another type";
    }
}
