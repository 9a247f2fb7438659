package dev.patchtide.server.db;

import java.time.Duration;

/**
 * Where the database is; validated so a mistake names the setting instead of failing deep in a driver.
 *
 * @param maxPoolSize the pool's connections
 * @param connectionTimeout how long a caller waits for a free connection before failing (a retryable error on the
 *     wire); HikariCP's 30 s unless said otherwise
 */
public record DatabaseSettings(
        String jdbcUrl, String user, String password, int maxPoolSize, Duration connectionTimeout) {
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(30);
    /** HikariCP refuses less. */
    private static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);

    public DatabaseSettings {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db)," + " got: " + jdbcUrl);
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("db-pool-size cannot be less than 1");
        }
        if (connectionTimeout == null || connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
            throw new IllegalArgumentException("db-connection-timeout cannot be less than 250 ms");
        }
    }

    public DatabaseSettings(String jdbcUrl, String user, String password, int maxPoolSize) {
        this(jdbcUrl, user, password, maxPoolSize, DEFAULT_CONNECTION_TIMEOUT);
    }

    /** A URL may carry user and password itself (…?user=x&password=y); then these stay null. */
    public static DatabaseSettings of(String jdbcUrl) {
        return new DatabaseSettings(jdbcUrl, null, null, 20);
    }

    public DatabaseSettings withConnectionTimeout(Duration timeout) {
        return new DatabaseSettings(jdbcUrl, user, password, maxPoolSize, timeout);
    }
}
