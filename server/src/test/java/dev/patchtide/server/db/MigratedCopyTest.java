package dev.patchtide.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.testing.TestDatabases;
import java.util.List;
import org.junit.jupiter.api.Test;

/** connect brings a database to the schema; the tests' shortcut for copies of a migrated one leaves it as it is. */
class MigratedCopyTest {
    @Test
    void connectMigratesAndTheCopyShortcutTouchesNothing() {
        DatabaseSettings settings = TestDatabases.empty();
        try (Database copy = Database.connectToMigratedCopy(settings)) {
            assertThat(historyTable(copy)).isNull();
        }
        try (Database migrated = Database.connect(settings)) {
            assertThat(historyTable(migrated)).isEqualTo("flyway_schema_history");
        }
    }

    @Test
    void aFreshTestDatabaseIsAlreadyWhereConnectWouldBringIt() {
        DatabaseSettings settings = TestDatabases.fresh();
        List<String> applied;
        try (Database copy = Database.connectToMigratedCopy(settings)) {
            applied = appliedMigrations(copy);
        }
        try (Database migrated = Database.connect(settings)) {
            assertThat(appliedMigrations(migrated)).isNotEmpty().isEqualTo(applied);
        }
    }

    private static String historyTable(Database db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT CAST(to_regclass('flyway_schema_history') AS text)")
                .mapTo(String.class)
                .one());
    }

    private static List<String> appliedMigrations(Database db) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT version || ':' || checksum FROM flyway_schema_history WHERE success ORDER BY installed_rank")
                .mapTo(String.class)
                .list());
    }
}
