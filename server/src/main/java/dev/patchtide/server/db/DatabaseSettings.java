package dev.patchtide.server.db;

/** Where the database is; validated so a mistake names the setting instead of failing deep in a driver. */
public record DatabaseSettings(String jdbcUrl, String user, String password, int maxPoolSize) {
    public DatabaseSettings {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db)," + " got: " + jdbcUrl);
        }
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("db-pool-size cannot be less than 1");
        }
    }

    /** A URL may carry user and password itself (…?user=x&password=y); then these stay null. */
    public static DatabaseSettings of(String jdbcUrl) {
        return new DatabaseSettings(jdbcUrl, null, null, 20);
    }
}
