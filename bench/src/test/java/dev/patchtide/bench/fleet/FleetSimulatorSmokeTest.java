package dev.patchtide.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** A tiny fleet against a real in-process server: every agent registers and its report is stored. */
class FleetSimulatorSmokeTest {
    @Test
    void twentyHostsRegisterReportAndAreQueried() throws Exception {
        FleetOptions options = FleetOptions.parse(
                new String[] {"--hosts", "20", "--concurrency", "4", "--rounds", "1", "--query-samples", "3"});
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            runAndCheck(options, printed);
        } finally {
            options.deleteTemporaryDataDir();
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("SUMMARY hosts=20");
    }

    private static void runAndCheck(FleetOptions options, ByteArrayOutputStream printed) throws Exception {
        try (ServerTarget target = ServerTarget.inProcess(options.dataDir(), options.region(), 4, false)) {
            FleetSimulator.Report report =
                    FleetSimulator.run(options, target, new PrintStream(printed, true, StandardCharsets.UTF_8));

            assertThat(report.registration().failures()).isZero();
            assertThat(report.facts().failures()).isZero();
            assertThat(report.ingestRounds()).singleElement().satisfies(r -> assertThat(r.failures())
                    .isZero());
            assertThat(report.missingRows()).isPositive();
            var db = target.database().orElseThrow();
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement st = c.createStatement();
                    ResultSet states =
                            st.executeQuery("SELECT count(*), sum(missing_count) FROM instance_patch_states")) {
                states.next();
                assertThat(states.getLong(1)).isEqualTo(20);
                assertThat(states.getLong(2)).isEqualTo(report.missingRows());
            }
            assertThat(report.queries())
                    .filteredOn(q -> q.query().target().startsWith("AmazonSSM."))
                    .allSatisfy(q -> assertThat(q.unavailable()).isEmpty());

            // The same server reached as a remote one (--server with an admin key): 5 more hosts.
            ServerTarget remote = ServerTarget.remote(
                    target.endpoint(),
                    target.admin().accessKeyId(),
                    target.admin().secretAccessKey());
            FleetOptions five = FleetOptions.parse(
                    new String[] {"--hosts", "5", "--concurrency", "2", "--rounds", "1", "--query-samples", "2"});
            FleetSimulator.Report more =
                    FleetSimulator.run(five, remote, new PrintStream(printed, true, StandardCharsets.UTF_8));
            five.deleteTemporaryDataDir();
            assertThat(more.ingestRounds().getFirst().failures()).isZero();
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement st = c.createStatement();
                    ResultSet states = st.executeQuery("SELECT count(*) FROM instance_patch_states")) {
                states.next();
                assertThat(states.getLong(1)).isEqualTo(25);
            }
        }
    }
}
