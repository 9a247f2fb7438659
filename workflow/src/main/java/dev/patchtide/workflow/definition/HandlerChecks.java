package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import java.util.Set;

/** Retry and Catch: field sets, ranges, and the rule that States.ALL stands alone in the last entry. */
final class HandlerChecks {
    static final long MAX_DELAY_SECONDS = 31_622_400L;

    private final Values values;

    HandlerChecks(Values values) {
        this.values = values;
    }

    void retry(JsonNode state, String location) {
        JsonNode retry = state.get("Retry");
        if (retry == null) {
            return;
        }
        String at = location + "/Retry";
        if (!retry.isArray()) {
            values.problems().schema("The value for the field 'Retry' must be an ARRAY", at);
            return;
        }
        for (int i = 0; i < retry.size(); i++) {
            JsonNode r = retry.get(i);
            String here = at + "[" + i + "]";
            if (!r.isObject()) {
                values.problems().schema("A retrier must be an OBJECT", here);
                continue;
            }
            values.unknownFields(r, Fields.RETRIER, here);
            values.required(r, here, "ErrorEquals");
            errorEquals(r, here, i == retry.size() - 1, "Retrier");
            values.integer(r, "IntervalSeconds", here, 1, Values.MAX_SECONDS);
            values.integer(r, "MaxAttempts", here, 0, Values.MAX_SECONDS);
            values.number(r, "BackoffRate", here, 1.0, Double.MAX_VALUE);
            values.integer(r, "MaxDelaySeconds", here, 1, MAX_DELAY_SECONDS);
            values.oneOf(r, "JitterStrategy", here, Set.of("FULL", "NONE"));
            values.string(r, "Comment", here);
        }
    }

    void catchers(JsonNode state, String location, QueryLanguage language) {
        JsonNode catchers = state.get("Catch");
        if (catchers == null) {
            return;
        }
        String at = location + "/Catch";
        if (!catchers.isArray()) {
            values.problems().schema("The value for the field 'Catch' must be an ARRAY", at);
            return;
        }
        for (int i = 0; i < catchers.size(); i++) {
            JsonNode c = catchers.get(i);
            String here = at + "[" + i + "]";
            if (!c.isObject()) {
                values.problems().schema("A catcher must be an OBJECT", here);
                continue;
            }
            values.unknownFields(c, Fields.CATCHER, here);
            values.required(c, here, "ErrorEquals", "Next");
            errorEquals(c, here, i == catchers.size() - 1, "Catcher");
            values.string(c, "Next", here);
            values.string(c, "Comment", here);
            StateChecks.languageOnly(c, language, here, values.problems());
            if (language == QueryLanguage.JSONPATH) {
                values.resultPath(c, here);
            } else {
                Expressions.check(c.get("Output"), Expressions.WITH_ERROR, here + "/Output", values.problems());
            }
            if (c.has("Assign")) {
                TemplateChecks.assign(
                        c.get("Assign"), language, Expressions.WITH_ERROR, here + "/Assign", values.problems());
            }
        }
    }

    private void errorEquals(JsonNode entry, String here, boolean last, String what) {
        JsonNode names = entry.get("ErrorEquals");
        if (names == null) {
            return;
        }
        String at = here + "/ErrorEquals";
        if (!names.isArray() || names.isEmpty()) {
            values.problems().schema("The value for the field 'ErrorEquals' must be a non-empty ARRAY", at);
            return;
        }
        boolean all = false;
        for (JsonNode name : names) {
            if (!name.isTextual()) {
                values.problems().schema("The value for the field 'ErrorEquals' must be an ARRAY of STRING", at);
                return;
            }
            all |= name.asText().equals(StatesError.ALL);
        }
        if (all && names.size() > 1) {
            values.problems().schema("'" + StatesError.ALL + "' must appear alone in the ErrorEquals array", at);
        }
        if (all && !last) {
            values.problems().schema("A " + what + " with '" + StatesError.ALL + "' must be the last in its array", at);
        }
    }
}
