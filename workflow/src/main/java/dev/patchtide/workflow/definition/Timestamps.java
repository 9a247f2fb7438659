package dev.patchtide.workflow.definition;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** RFC 3339 timestamps as Wait and the Timestamp comparators take them (an uppercase T, an offset or Z). */
final class Timestamps {
    private Timestamps() {}

    static boolean isValid(String text) {
        if (text.indexOf('T') < 0 || text.indexOf('t') >= 0) {
            return false;
        }
        try {
            OffsetDateTime.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
