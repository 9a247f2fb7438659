package dev.patchtide.core.schedule;

import java.util.BitSet;
import java.util.Locale;
import java.util.Map;

/** Parses one plain cron field ({@code *}, values, names, ranges {@code a-b}, steps {@code a/n}, {@code a-b/n}, lists). */
final class CronField {
    private CronField() {}

    static final Map<String, Integer> MONTHS = Map.ofEntries(
            Map.entry("JAN", 1),
            Map.entry("FEB", 2),
            Map.entry("MAR", 3),
            Map.entry("APR", 4),
            Map.entry("MAY", 5),
            Map.entry("JUN", 6),
            Map.entry("JUL", 7),
            Map.entry("AUG", 8),
            Map.entry("SEP", 9),
            Map.entry("OCT", 10),
            Map.entry("NOV", 11),
            Map.entry("DEC", 12));

    /** EventBridge numbers days of the week 1 (Sunday) to 7 (Saturday). */
    static final Map<String, Integer> DAYS =
            Map.of("SUN", 1, "MON", 2, "TUE", 3, "WED", 4, "THU", 5, "FRI", 6, "SAT", 7);

    static BitSet parse(String field, String name, int min, int max, Map<String, Integer> names) {
        BitSet values = new BitSet(max + 1);
        for (String item : field.split(",", -1)) {
            if (item.isEmpty()) {
                throw bad(name, field);
            }
            int step = 1;
            String range = item;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                step = number(item.substring(slash + 1), name, field, Map.of());
                if (step < 1 || step > max) {
                    throw bad(name, field);
                }
                range = item.substring(0, slash);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    throw bad(name, field);
                }
                from = number(ends[0], name, field, names);
                to = number(ends[1], name, field, names);
            } else {
                from = number(range, name, field, names);
                to = slash >= 0 ? max : from;
            }
            if (from < min || to > max || from > to) {
                throw bad(name, field);
            }
            for (int v = from; v <= to; v += step) {
                values.set(v);
            }
        }
        return values;
    }

    static int number(String text, String name, String field, Map<String, Integer> names) {
        Integer named = names.get(text.toUpperCase(Locale.ROOT));
        if (named != null) {
            return named;
        }
        if (text.isEmpty() || text.length() > 4 || !text.chars().allMatch(Character::isDigit)) {
            throw bad(name, field);
        }
        return Integer.parseInt(text);
    }

    static IllegalArgumentException bad(String name, String field) {
        return new IllegalArgumentException(name + " field is not valid: " + field);
    }
}
