package dev.patchtide.bench.fleet;

import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.db.EmbeddedPostgres;
import dev.patchtide.server.fleet.PingStatusPolicy;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The server under test: one started in this JVM over an embedded PostgreSQL (wired as {@code patchtide
 * up} wires it), or a running one reached by URL with an admin key.
 */
public final class ServerTarget implements AutoCloseable {
    private final URI endpoint;
    private final SigV4Credentials admin;
    private final Optional<DatabaseSettings> database;
    private final Deque<AutoCloseable> opened;
    private final CpuMeter cpu;
    private boolean statementStats;

    private ServerTarget(
            URI endpoint,
            SigV4Credentials admin,
            Optional<DatabaseSettings> database,
            Deque<AutoCloseable> opened,
            CpuMeter cpu) {
        this.endpoint = endpoint;
        this.cpu = cpu;
        this.admin = admin;
        this.database = database;
        this.opened = opened;
    }

    static ServerTarget remote(URI endpoint, String keyId, String secret) {
        return new ServerTarget(
                endpoint,
                new SigV4Credentials(keyId, secret),
                Optional.empty(),
                new ArrayDeque<>(),
                new CpuMeter(java.util.OptionalLong.empty()));
    }

    /** With {@code statementStats}, PostgreSQL preloads pg_stat_statements (one extra restart at start). */
    public static ServerTarget inProcess(
            java.nio.file.Path dataDir, String region, int poolSize, boolean statementStats) throws IOException {
        return inProcess(dataDir, region, poolSize, statementStats, "");
    }

    /** {@code jdbcOptions} (such as {@code reWriteBatchedInserts=true}) are appended to the server's JDBC URL. */
    static ServerTarget inProcess(
            java.nio.file.Path dataDir, String region, int poolSize, boolean statementStats, String jdbcOptions)
            throws IOException {
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            EmbeddedPostgres postgres = statementStats
                    ? StatementStats.startWithStatements(dataDir.resolve("postgres"))
                    : EmbeddedPostgres.start(dataDir.resolve("postgres"));
            opened.push(postgres);
            String name = "fleet_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
            postgres.createDatabase(name);
            String url = postgres.jdbcUrl(name);
            if (!jdbcOptions.isEmpty()) {
                url += (url.contains("?") ? "&" : "?") + jdbcOptions;
            }
            DatabaseSettings settings = new DatabaseSettings(url, postgres.user(), postgres.password(), poolSize);
            if (statementStats) {
                StatementStats.createExtension(settings);
            }
            Database db = Database.connect(settings);
            opened.push(db);
            ServerConfig config =
                    new ServerConfig("127.0.0.1", 0, region, ServerConfig.DEFAULT_ACCOUNT, PingStatusPolicy.defaults());
            PatchtideServer server = PatchtideServer.start(config, db, Clock.systemUTC());
            opened.push(server);
            AccessKeyStore.IssuedKey key = server.accessKeys()
                    .createAdminKey("fleet simulator", Clock.systemUTC().instant());
            ServerTarget target = new ServerTarget(
                    URI.create("http://127.0.0.1:" + server.port()),
                    new SigV4Credentials(key.accessKeyId(), key.secretAccessKey()),
                    Optional.of(settings),
                    opened,
                    new CpuMeter(CpuMeter.postmasterOf(dataDir.resolve("postgres"))));
            target.statementStats = statementStats;
            return target;
        } catch (IOException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public SigV4Credentials admin() {
        return admin;
    }

    /** The database, when the server runs in this JVM (for the SQL comparison). */
    Optional<DatabaseSettings> database() {
        return database;
    }

    /** The database, when pg_stat_statements is loaded in it. */
    public Optional<DatabaseSettings> statementStats() {
        return statementStats ? database : Optional.empty();
    }

    /** Measures this JVM and, in process, our PostgreSQL. */
    public CpuMeter cpu() {
        return cpu;
    }

    boolean inProcess() {
        return database.isPresent();
    }

    @Override
    public void close() {
        closeAll(opened);
    }

    private static void closeAll(Deque<AutoCloseable> opened) {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                System.err.println("error while stopping: " + e);
            }
        }
    }
}
