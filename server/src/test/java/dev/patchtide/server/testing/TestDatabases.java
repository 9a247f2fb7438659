package dev.patchtide.server.testing;

import dev.patchtide.server.db.Database;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.db.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL per test JVM, started on first use; each caller gets a fresh database of its own (migrated,
 * or {@link #empty}), so test classes never see each other's rows.
 */
public final class TestDatabases {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String TEMPLATE = "patchtide_migrated";
    private static EmbeddedPostgres postgres;
    private static boolean templateMigrated;

    private TestDatabases() {}

    /**
     * A fresh database with every migration applied: a copy of a template migrated once per JVM (a copy is a
     * file copy inside PostgreSQL; running the migrations for each of the suite's hundreds of servers was not).
     */
    public static synchronized DatabaseSettings fresh() {
        EmbeddedPostgres pg = postgres();
        if (!templateMigrated) {
            pg.createDatabase(TEMPLATE);
            Database.connect(settings(pg, TEMPLATE)).close();
            templateMigrated = true;
        }
        String name = nextName();
        execute(pg, "CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE);
        return settings(pg, name);
    }

    /**
     * A {@link #fresh} database, connected without asking Flyway again: it is a copy of the template this JVM has
     * just migrated with the same migrations (saves 0.1–0.5 s per server).
     */
    public static Database connectFresh() {
        return Database.connectToMigratedCopy(fresh());
    }

    /** A fresh database with no schema at all, for tests of the migrations themselves. */
    public static synchronized DatabaseSettings empty() {
        EmbeddedPostgres pg = postgres();
        String name = nextName();
        pg.createDatabase(name);
        return settings(pg, name);
    }

    private static String nextName() {
        return "test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    }

    private static DatabaseSettings settings(EmbeddedPostgres pg, String name) {
        return new DatabaseSettings(pg.jdbcUrl(name), pg.user(), pg.password(), 10);
    }

    private static void execute(EmbeddedPostgres pg, String sql) {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.user(), pg.password());
                Statement statement = c.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot run " + sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * The suite's thousands of commits each waited ~4 ms for the WAL to reach the disk (more on a busy disk). A
     * commit is still atomic and at once visible to every session; only a crash of the machine could lose the last
     * few, and this throw-away cluster does not outlive the JVM. (The server's own start keeps fsync on.)
     */
    private static void commitWithoutWaitingForTheDisk(EmbeddedPostgres pg) {
        execute(pg, "ALTER SYSTEM SET synchronous_commit = off");
        execute(pg, "SELECT pg_reload_conf()");
    }

    private static EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                // World-traversable: as root, PostgreSQL runs as 'nobody' and must reach the cluster.
                Path dir = Files.createTempDirectory(
                        LeftoverClusters.PREFIX,
                        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
                LeftoverClusters.sweep(dir.getParent(), Instant.now());
                EmbeddedPostgres started = EmbeddedPostgres.start(dir.resolve("cluster"));
                commitWithoutWaitingForTheDisk(started);
                postgres = started;
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(
                                () -> {
                                    started.discard();
                                    LeftoverClusters.delete(dir);
                                },
                                "test-postgres-stop"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the test PostgreSQL", e);
            }
        }
        return postgres;
    }
}
