package dev.patchtide.cli;

import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.db.EmbeddedPostgres;
import dev.patchtide.server.secrets.ServerKey;
import dev.patchtide.server.tls.HostNames;
import dev.patchtide.server.tls.PrivateCa;
import dev.patchtide.server.tls.TlsMaterial;
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
    static final String TLS_DIR = "tls";

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final Path dataDir;
    private ServerConfig config;
    private PatchtideServer server;
    private String endpoint;

    private RunningServer(Path dataDir) {
        this.dataDir = dataDir;
    }

    static RunningServer start(ServerOptions options) throws IOException {
        ServerOptions.TlsChoice tls = options.tls();
        if (tls instanceof ServerOptions.TlsChoice.InsecureHttp) {
            options.config(); // a non-loopback bind is refused before anything starts
        }
        options.givenAgentPackages().ifPresent(ServerConfig::checkAgentPackages); // likewise a missing folder
        RunningServer running = new RunningServer(options.absoluteDataDir());
        try {
            running.open(options, tls);
            return running;
        } catch (IOException | RuntimeException e) {
            running.close();
            throw e;
        }
    }

    private void open(ServerOptions options, ServerOptions.TlsChoice tls) throws IOException {
        Files.createDirectories(dataDir);
        lockDataDir();
        config = options.config(tlsMaterial(tls, options));
        Optional<Path> secretKeyFile = options.givenSecretKeyFile();
        Optional<String> externalDatabase = options.externalDatabase();
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
        endpoint = config.scheme() + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
        profile().ensure(server.accessKeys(), config.region(), endpoint, caBundle(tls));
    }

    /** The key and certificates to serve HTTPS with; empty for plain HTTP. */
    private Optional<TlsMaterial> tlsMaterial(ServerOptions.TlsChoice tls, ServerOptions options) throws IOException {
        return switch (tls) {
            case ServerOptions.TlsChoice.InsecureHttp plain -> Optional.empty();
            case ServerOptions.TlsChoice.Given given -> Optional.of(TlsMaterial.fromFiles(given.cert(), given.key()));
            case ServerOptions.TlsChoice.PrivateCa ca ->
                Optional.of(new PrivateCa(dataDir.resolve(TLS_DIR), Clock.systemUTC())
                        .loadOrCreate(HostNames.ofThisHost(options.bind, Optional.ofNullable(options.publicUrl))));
        };
    }

    /**
     * The file the AWS CLI and admin commands trust: the private CA's; with a given certificate, its chain's top
     * written next to it; none for plain HTTP.
     */
    private Optional<Path> caBundle(ServerOptions.TlsChoice tls) throws IOException {
        return switch (tls) {
            case ServerOptions.TlsChoice.InsecureHttp plain -> Optional.empty();
            case ServerOptions.TlsChoice.PrivateCa ca ->
                Optional.of(dataDir.resolve(TLS_DIR).resolve("ca.pem"));
            case ServerOptions.TlsChoice.Given given -> {
                Path file = dataDir.resolve(TLS_DIR).resolve("given-ca.pem");
                Files.createDirectories(file.getParent());
                Files.writeString(file, config.tls().orElseThrow().caPem());
                yield Optional.of(file);
            }
        };
    }

    /** The pinned CA's fingerprint, for agents' enrolment; empty on plain HTTP. */
    Optional<TlsMaterial> tls() {
        return config.tls();
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
