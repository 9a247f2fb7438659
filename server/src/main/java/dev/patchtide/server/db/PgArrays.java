package dev.patchtide.server.db;

import org.jdbi.v3.core.argument.Argument;

/**
 * Array parameters in PostgreSQL's binary array format, for the grouped writes ({@code unnest} of one array per
 * column). Jdbi's {@code bindArray} goes through {@code Connection.createArrayOf}, which pgjdbc turns into an array
 * literal by quoting and escaping every character of every element: for a group of executions' histories or events
 * (kilobytes of JSON each) that escaping was the largest single cost of a STANDARD start in the JVM (JFR). Handing
 * pgjdbc the Java array itself lets it send each element's UTF-8 bytes with their length, unescaped.
 */
public final class PgArrays {
    private PgArrays() {}

    /** A {@code varchar[]} (cast to {@code text[]}, {@code timestamptz[]}, … in SQL); null elements are SQL NULLs. */
    public static Argument texts(String[] values) {
        String[] copy = values.clone();
        return (position, statement, context) -> statement.setObject(position, copy);
    }
}
