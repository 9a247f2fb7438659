package dev.patchtide.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresTest {

    @Test
    void dataSurvivesACleanRestartAndAKilledServer(@TempDir Path dir) throws Exception {
        // As root PostgreSQL runs as 'nobody', which must be able to pass through the folder.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cluster = dir.resolve("cluster");

        EmbeddedPostgres pg = EmbeddedPostgres.start(cluster);
        pg.createDatabase("fleet");
        pg.createDatabase("fleet"); // idempotent
        execute(pg, "CREATE TABLE hosts (name text); INSERT INTO hosts VALUES ('web-1')");
        stop(pg);
        stop(pg); // a second close does nothing
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("cluster.password"))))
                .isEqualTo("rw-------");

        EmbeddedPostgres restarted = EmbeddedPostgres.start(cluster);
        execute(restarted, "INSERT INTO hosts VALUES ('web-2')");
        long pid = Long.parseLong(
                Files.readAllLines(cluster.resolve("postmaster.pid")).getFirst().strip());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());

        try (EmbeddedPostgres afterCrash = EmbeddedPostgres.start(cluster)) {
            assertThat(names(afterCrash)).isEqualTo("web-1,web-2");
            assertThat(sharedBuffersMegabytes(afterCrash) + "MB").isEqualTo(SharedBuffers.forThisHost());
            assertThat(setting(afterCrash, "checkpoint_timeout")).isEqualTo("900s");
            // The free space moves with other writers between start and here: a few megabytes, not 64.
            assertThat(Long.parseLong(setting(afterCrash, "max_wal_size").replace("MB", "")))
                    .isCloseTo(
                            CheckpointSpacing.maxWalMegabytesFor(
                                    Files.getFileStore(dir).getUsableSpace()),
                            within(64L));
            assertThat(setting(afterCrash, "fsync")).isEqualTo("on");
            assertThat(setting(afterCrash, "full_page_writes")).isEqualTo("on");
        }
    }

    private static void stop(AutoCloseable pg) throws Exception {
        pg.close();
    }

    private static void execute(EmbeddedPostgres pg, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("fleet"), pg.user(), pg.password());
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long sharedBuffersMegabytes(EmbeddedPostgres pg) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("fleet"), pg.user(), pg.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT setting::bigint * current_setting('block_size')::bigint / 1048576"
                        + " FROM pg_settings WHERE name = 'shared_buffers'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String setting(EmbeddedPostgres pg, String name) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("fleet"), pg.user(), pg.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT setting || coalesce(unit, '') FROM pg_settings WHERE name = '" + name + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String names(EmbeddedPostgres pg) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("fleet"), pg.user(), pg.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT string_agg(name, ',' ORDER BY name) FROM hosts")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
