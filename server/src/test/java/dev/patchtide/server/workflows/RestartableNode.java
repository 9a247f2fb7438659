package dev.patchtide.server.workflows;

import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.patching.ComplianceStateListener;
import dev.patchtide.server.testing.TestDatabases;
import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.InstantSource;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * A server over one fresh database that a test stops and starts again. The admin key is made on the first start and
 * kept; each start gets its own SfnClient. A fixed port is for tests whose links or agents must find the server
 * again after the restart.
 */
final class RestartableNode implements AutoCloseable {
    private final DatabaseSettings settings = TestDatabases.fresh();
    private final InstantSource clock;
    private final int port;
    private AccessKeyStore.IssuedKey admin;
    private Database database;
    private PatchtideServer server;
    private SfnClient sfn;

    private RestartableNode(InstantSource clock, int port) {
        this.clock = clock;
        this.port = port;
    }

    /** Any free port on each start. */
    static RestartableNode anyPort(InstantSource clock) {
        return new RestartableNode(clock, 0);
    }

    /** One port, chosen now, kept over restarts. */
    static RestartableNode fixedPort(InstantSource clock) {
        try (ServerSocket socket = new ServerSocket(0)) {
            return new RestartableNode(clock, socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void start() {
        database = Database.connect(settings);
        server = PatchtideServer.start(
                new ServerConfig(
                        "127.0.0.1",
                        port,
                        TestServer.REGION,
                        ServerConfig.DEFAULT_ACCOUNT,
                        PingStatusPolicy.defaults()),
                database,
                clock,
                ComplianceStateListener.NONE);
        if (admin == null) {
            admin = server.accessKeys()
                    .createAdminKey("test", InstantSource.system().instant());
        }
        sfn = SfnClients.sfn(endpoint(), admin.accessKeyId(), admin.secretAccessKey());
    }

    void stop() {
        sfn.close();
        server.close();
        database.close();
        server = null;
    }

    /** Stops the node if it runs; safe after a test that stopped it already. */
    @Override
    public void close() {
        if (server != null) {
            stop();
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + (port != 0 ? port : server.port()));
    }

    AccessKeyStore.IssuedKey admin() {
        return admin;
    }

    /** The client for the running start; a new one after each restart. */
    SfnClient sfn() {
        return sfn;
    }

    PatchtideServer server() {
        return server;
    }

    Database database() {
        return database;
    }
}
