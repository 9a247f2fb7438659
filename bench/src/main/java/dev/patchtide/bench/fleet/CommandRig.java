package dev.patchtide.bench.fleet;

import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.db.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * A fleet of command-following agents against a server in a child JVM whose PostgreSQL lives in this JVM
 * (so the server can be killed and started again on the same database and port): the setup shared by the
 * rate-control test and the command benchmarks.
 */
final class CommandRig implements AutoCloseable {
    static final String REGION = ServerConfig.DEFAULT_REGION;
    /** Every simulated instance carries this tag key (from its activation): commands target it. */
    static final String FLEET_TAG = "Patch Group";

    private final Path dir;
    private final EmbeddedPostgres postgres;
    private final DatabaseSettings database;
    private final int port;
    private final List<String> serverJvm;
    private ChildServer server;
    private SigV4Credentials admin;
    private FleetClient client;
    private Fleet fleet;
    private CommandAgents agents;

    private CommandRig(Path dir, EmbeddedPostgres postgres, DatabaseSettings database, int port, List<String> jvm) {
        this.dir = dir;
        this.postgres = postgres;
        this.database = database;
        this.port = port;
        this.serverJvm = jvm;
    }

    /**
     * Starts PostgreSQL here and the server in a child JVM and registers {@code hosts} agents ({@code
     * concurrency} at a time); {@link #startAgents} sets them polling.
     */
    static CommandRig start(Path dir, int hosts, int concurrency, int poolSize, List<String> serverJvm, PrintStream out)
            throws Exception {
        // As root PostgreSQL runs as 'nobody', which must be able to pass through the folder.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        EmbeddedPostgres postgres = EmbeddedPostgres.start(dir.resolve("postgres"));
        CommandRig rig = null;
        try {
            postgres.createDatabase("patchtide");
            DatabaseSettings db =
                    new DatabaseSettings(postgres.jdbcUrl("patchtide"), postgres.user(), postgres.password(), poolSize);
            rig = new CommandRig(dir, postgres, db, ChildServer.freePort(), serverJvm);
            rig.startServer(true);
            rig.enroll(hosts, concurrency, out);
            return rig;
        } catch (Exception | Error e) {
            if (rig != null) {
                rig.close();
            } else {
                postgres.close();
            }
            throw e;
        }
    }

    private void startServer(boolean createAdminKey) throws IOException, InterruptedException {
        server = ChildServer.start(
                database, port, dir.resolve("secret.key"), dir.resolve("server.log"), serverJvm, createAdminKey);
        server.awaitListening(Duration.ofMinutes(3));
        if (createAdminKey) {
            String[] key = server.await("admin ", Duration.ofSeconds(30)).split(" ");
            admin = new SigV4Credentials(key[0], key[1]);
        }
    }

    private void enroll(int hosts, int concurrency, PrintStream out) throws Exception {
        client = new FleetClient(server.endpoint(), REGION, FleetSimulator.mapper());
        fleet = new Fleet(client, admin, hosts);
        fleet.createActivations(concurrency);
        CpuMeter cpu = new CpuMeter(CpuMeter.postmasterOf(dir.resolve("postgres")));
        // Registration alone: targeting reads the tags instances inherit from their activation, and an agent
        // polls for commands before it first reports its facts.
        Phase.Result registration =
                Phase.run(cpu, "RegisterManagedInstance", hosts, concurrency, client::httpCpuNanos, fleet::register);
        if (registration.failures() > 0) {
            throw new IllegalStateException(
                    "registration failed " + registration.failures() + " times: " + registration.firstFailure());
        }
        out.printf("registered %d agents in %.1f s%n", registration.calls(), registration.seconds());
    }

    /** Every registered agent starts long-polling, each poll held up to {@code waitSeconds}. */
    CommandAgents startAgents(int waitSeconds) {
        return startAgents(waitSeconds, CommandAgents.STREAM_DEFAULT);
    }

    /** Starts every host's agent, holding streams or renewing plain polls. */
    CommandAgents startAgents(int waitSeconds, boolean stream) {
        agents = new CommandAgents(client, fleet, waitSeconds, stream);
        agents.start(fleet.hosts());
        return agents;
    }

    /** SIGKILL the server, then start a new one on the same database and port. */
    void killAndRestart() throws IOException, InterruptedException {
        server.kill();
        startServer(false);
    }

    /** SIGKILL the server and leave it down (the agents keep retrying). */
    void kill() throws InterruptedException {
        server.kill();
    }

    /** Starts a new server on the same database and port after {@link #kill()}. */
    void restart() throws IOException, InterruptedException {
        startServer(false);
    }

    ChildServer server() {
        return server;
    }

    CommandAgents agents() {
        return agents;
    }

    Fleet fleet() {
        return fleet;
    }

    FleetClient client() {
        return client;
    }

    SigV4Credentials admin() {
        return admin;
    }

    CommandCalls commands() {
        return new CommandCalls(client, admin);
    }

    CpuMeter postgresCpu() {
        return new CpuMeter(CpuMeter.postmasterOf(dir.resolve("postgres")));
    }

    @Override
    public void close() {
        if (agents != null) {
            agents.close();
        }
        if (server != null) {
            server.close();
        }
        postgres.close();
    }
}
