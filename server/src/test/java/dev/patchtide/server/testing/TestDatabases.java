package dev.patchtide.server.testing;

import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.db.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL per test JVM, started on first use; each caller gets a fresh, empty database of its
 * own, so test classes never see each other's rows.
 */
public final class TestDatabases {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestDatabases() {}

    public static synchronized DatabaseSettings fresh() {
        EmbeddedPostgres pg = postgres();
        String name = "test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        pg.createDatabase(name);
        return new DatabaseSettings(pg.jdbcUrl(name), pg.user(), pg.password(), 10);
    }

    private static EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                // World-traversable: as root, PostgreSQL runs as 'nobody' and must reach the cluster.
                Path dir = Files.createTempDirectory(
                        "patchtide-test-pg",
                        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
                postgres = EmbeddedPostgres.start(dir.resolve("cluster"));
                Runtime.getRuntime().addShutdownHook(new Thread(postgres::discard, "test-postgres-stop"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the test PostgreSQL", e);
            }
        }
        return postgres;
    }
}
