package dev.patchtide.cli;

import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.db.EmbeddedPostgres;
import dev.patchtide.server.secrets.ServerKey;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server with its database, started from {@link ServerOptions}: the embedded PostgreSQL in the data
 * folder unless an external one is given. Closes everything it opened, in reverse order, once.
 */
final class RunningServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunningServer.class);
    static final String DATABASE_NAME = "patchtide";
    static final String SECRET_KEY_FILE = "secret.key";

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final Path dataDir;
    private ServerConfig config;
    private PatchtideServer server;
    private String endpoint;

    private RunningServer(Path dataDir, ServerConfig config) {
        this.dataDir = dataDir;
        this.config = config;
    }

    static RunningServer start(ServerOptions options) throws IOException {
        RunningServer running = new RunningServer(options.absoluteDataDir(), options.config());
        try {
            running.open(options.externalDatabase(), options.givenSecretKeyFile());
            return running;
        } catch (IOException | RuntimeException e) {
            running.close();
            throw e;
        }
    }

    private void open(Optional<String> externalDatabase, Optional<Path> secretKeyFile) throws IOException {
        Files.createDirectories(dataDir);
        lockDataDir();
        config = config.withSecretKey(
                secretKeyFile.isPresent()
                        ? ServerKey.read(secretKeyFile.get())
                        : ServerKey.readOrCreate(dataDir.resolve(SECRET_KEY_FILE)));
        DatabaseSettings settings;
        if (externalDatabase.isPresent()) {
            settings = DatabaseSettings.of(externalDatabase.get());
        } else {
            log.info("starting the embedded PostgreSQL in {}", dataDir.resolve("postgres"));
            EmbeddedPostgres postgres = EmbeddedPostgres.start(dataDir.resolve("postgres"));
            opened.push(postgres);
            postgres.createDatabase(DATABASE_NAME);
            settings = new DatabaseSettings(postgres.jdbcUrl(DATABASE_NAME), postgres.user(), postgres.password(), 20);
        }
        Database database = Database.connect(settings);
        opened.push(database);
        server = PatchtideServer.start(config, database, Clock.systemUTC());
        opened.push(server);
        String host =
                config.bindAddress().equals("0.0.0.0") || config.bindAddress().equals("::")
                        ? "127.0.0.1"
                        : config.bindAddress();
        endpoint = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
        profile().ensure(server.accessKeys(), config.region(), endpoint);
    }

    /** Two servers on one data folder would corrupt each other's database: refuse the second. */
    private void lockDataDir() throws IOException {
        FileChannel channel =
                FileChannel.open(dataDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new IOException(
                    "another Patchtide is already using " + dataDir + " (it holds " + dataDir.resolve(".lock") + ")");
        }
        opened.push(channel);
    }

    AdminProfile profile() {
        return new AdminProfile(dataDir);
    }

    String endpoint() {
        return endpoint;
    }

    ServerConfig config() {
        return config;
    }

    Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        while (!opened.isEmpty()) {
            AutoCloseable next = opened.pop();
            try {
                next.close();
            } catch (Exception e) {
                log.warn("error while stopping {}: {}", next.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
