package dev.patchtide.workflow.data;

import java.util.List;
import java.util.stream.Collectors;

/** One step of a compiled JSONPath; {@link #text} renders it as Jayway does in its messages ({@code ['a']}). */
sealed interface Segment {
    /** Whether this step selects at most one node (a single name or a single index). */
    boolean definite();

    String text();

    /** {@code .a} or {@code ['a']}; several names ({@code ['a','b']}) select each that exists. */
    record Property(List<String> names) implements Segment {
        public boolean definite() {
            return names.size() == 1;
        }

        public String text() {
            return names.stream().map(n -> "'" + n + "'").collect(Collectors.joining(",", "[", "]"));
        }
    }

    /** {@code [0]}, {@code [-1]} (from the end) or {@code [0,2]}. */
    record Index(List<Integer> indexes) implements Segment {
        public boolean definite() {
            return indexes.size() == 1;
        }

        public String text() {
            return indexes.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
        }
    }

    /** {@code [from:to:step]}, each part optional. */
    record Slice(Integer from, Integer to, Integer step) implements Segment {
        public boolean definite() {
            return false;
        }

        public String text() {
            return "[" + (from == null ? "" : from) + ":" + (to == null ? "" : to) + (step == null ? "" : ":" + step)
                    + "]";
        }
    }

    /** {@code .*} or {@code [*]}: every member of an object or element of an array. */
    record Wildcard() implements Segment {
        public boolean definite() {
            return false;
        }

        public String text() {
            return "[*]";
        }
    }

    /** {@code ..}: the next step applied to this node and to every node below it. */
    record Scan() implements Segment {
        public boolean definite() {
            return false;
        }

        public String text() {
            return "..";
        }
    }

    /** {@code [?(…)]}: the elements (or the object itself) for which the expression holds. */
    record Filter(FilterExpr expr) implements Segment {
        public boolean definite() {
            return false;
        }

        public String text() {
            return "[?]";
        }
    }
}
