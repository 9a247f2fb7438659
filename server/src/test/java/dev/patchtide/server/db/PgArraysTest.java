package dev.patchtide.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.testing.TestDatabases;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The binary arrays arrive as the strings they were, whatever they hold, through unnest as the writers use them. */
class PgArraysTest {
    static Database db;

    @BeforeAll
    static void start() {
        db = Database.connect(TestDatabases.fresh());
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Test
    void everyElementArrivesUnchangedInItsPlace() {
        String[] values = {
            "{\"input\":\"{\\\"a\\\":[1,\\\"x\\\"]}\"}", // JSON inside JSON: quotes and backslashes
            null,
            "",
            "NULL", // the array literal's own words and signs, which the text form must escape
            "{a,b}",
            "comma, \"quote\" and \\ backslash",
            "é ü 日本 🚀",
            "line\nbreak\ttab",
            "x".repeat(100_000)
        };
        List<String> back = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT v FROM unnest(CAST(:values AS text[])) WITH ORDINALITY" + " AS u(v, i) ORDER BY i")
                .bind("values", PgArrays.texts(values))
                .mapTo(String.class)
                .list());
        assertThat(back).containsExactly(values);
    }

    @Test
    void castsAsTheColumnsNeedThem() {
        String[] times = {"2026-12-02T21:00:00.123Z", null};
        List<String> back = db.jdbi().withHandle(h -> h.createQuery("SELECT CAST(t AT TIME ZONE 'UTC' AS text)"
                        + " FROM unnest(CAST(:times AS timestamptz[])) WITH ORDINALITY AS u(t, i) ORDER BY i")
                .bind("times", PgArrays.texts(times))
                .mapTo(String.class)
                .list());
        assertThat(back).containsExactly("2026-12-02 21:00:00.123", null);
    }
}
