package dev.patchtide.bench.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the crash test's executions did to the world, read from the archives of the buses they put events on (the
 * test owns the server's PostgreSQL, which outlives the server). An archive entry is written in the transaction of
 * the PutEvents that sent it, so a step that ran twice would show as two entries, however its answer got lost.
 */
final class ArchivedEffects {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String jdbcUrl;
    private final String user;
    private final String password;

    ArchivedEffects(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    /** One archived effect: which execution, which step, and the task token it carried (if any). */
    record Effect(String execution, String step, String token) {}

    /** Every effect archived so far, in the archives named. */
    List<Effect> read(List<String> archives) throws SQLException, IOException {
        String in = String.join(
                ", ",
                archives.stream().map(a -> "'" + a.replace("'", "''") + "'").toList());
        List<Effect> effects = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT e.envelope FROM archived_events a JOIN events e"
                        + " ON e.event_id = a.event_id WHERE a.archive IN (" + in + ")")) {
            while (rs.next()) {
                JsonNode detail = JSON.readTree(rs.getString(1)).path("detail");
                effects.add(new Effect(
                        detail.path("execution").asText(),
                        detail.path("step").asText(),
                        detail.path("token").asText(null)));
            }
        }
        return effects;
    }

    /** Execution → step → how many times it was archived. */
    static Map<String, Map<String, Integer>> counts(List<Effect> effects) {
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        for (Effect e : effects) {
            counts.computeIfAbsent(e.execution(), k -> new HashMap<>()).merge(e.step(), 1, Integer::sum);
        }
        return counts;
    }
}
