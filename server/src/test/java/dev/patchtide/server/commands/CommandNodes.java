package dev.patchtide.server.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.patching.ComplianceStateListener;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestDatabases;
import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/**
 * Real server nodes on one fresh database, wired as in production; nodes can be closed and started again on the
 * same database. Agents are signed test clients.
 */
final class CommandNodes implements AutoCloseable {
    final MutableClock clock = MutableClock.ofNow();
    private final DatabaseSettings settings = TestDatabases.fresh();
    private final List<Node> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private AccessKeyStore.IssuedKey admin;

    record Node(Database database, PatchtideServer server, SsmClient ssm) {
        URI endpoint() {
            return URI.create("http://127.0.0.1:" + server.port());
        }

        Commands commands() {
            return server.commands();
        }
    }

    Node start() {
        return start(settings);
    }

    /** A node whose pool gives up waiting for a connection after {@code connectionTimeout}. */
    Node start(java.time.Duration connectionTimeout) {
        return start(settings.withConnectionTimeout(connectionTimeout));
    }

    private Node start(DatabaseSettings settings) {
        Database database = Database.connect(settings);
        PatchtideServer server = PatchtideServer.start(
                new ServerConfig(
                        "127.0.0.1", 0, TestServer.REGION, ServerConfig.DEFAULT_ACCOUNT, PingStatusPolicy.defaults()),
                database,
                clock,
                ComplianceStateListener.NONE);
        if (admin == null) {
            admin = server.accessKeys()
                    .createAdminKey("test", InstantSource.system().instant());
        }
        Node node = new Node(database, server, ssm(server.port(), admin.accessKeyId(), admin.secretAccessKey()));
        nodes.add(node);
        return node;
    }

    void stop(Node node) {
        nodes.remove(node);
        node.ssm().close();
        node.server().close();
        node.database().close();
    }

    static SsmClient ssm(int port, String keyId, String secret) {
        return SsmClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
                .build();
    }

    /** Registers {@code count} instances through a real activation. */
    List<FakeAgent> agents(Node node, int count) throws IOException, ApiCallException {
        CreateActivationResponse activation =
                node.ssm().createActivation(b -> b.iamRole("fleet-role").registrationLimit(count));
        List<FakeAgent> agents = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            agents.add(FakeAgent.register(node.endpoint(), activation.activationId(), activation.activationCode()));
        }
        return agents;
    }

    /** Creates an SNS topic on {@code node} as the admin; returns its ARN. */
    String createTopic(Node node, String name) throws IOException, ApiCallException {
        ApiClient admin = new ApiClient(
                node.endpoint(),
                TestServer.REGION,
                Optional.of(new SigV4Credentials(this.admin.accessKeyId(), this.admin.secretAccessKey())),
                InstantSource.system(),
                http);
        return admin.call("Patchtide.CreateTopic", Map.of("Name", name))
                .path("TopicArn")
                .asText();
    }

    /** The same agent speaking to another node. */
    FakeAgent on(Node node, FakeAgent agent) {
        ApiClient client = new ApiClient(
                node.endpoint(),
                TestServer.REGION,
                Optional.of(new SigV4Credentials(agent.accessKeyId(), agent.secretAccessKey())),
                InstantSource.system(),
                http);
        return new FakeAgent(agent.instanceId(), agent.accessKeyId(), agent.secretAccessKey(), client);
    }

    static JsonNode receive(FakeAgent agent, int waitSeconds) throws IOException, ApiCallException {
        return agent.client()
                .call(
                        "Patchtide.ReceiveCommandInvocations",
                        Map.of("InstanceId", agent.instanceId(), "WaitTimeSeconds", waitSeconds));
    }

    static void report(FakeAgent agent, String commandId, String status, int code, String stdout, String stderr)
            throws IOException, ApiCallException {
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("CommandId", commandId);
        update.put("InstanceId", agent.instanceId());
        update.put("Status", status);
        update.put("ResponseCode", code);
        update.put("StandardOutputContent", stdout);
        update.put("StandardErrorContent", stderr);
        // As the agent sends them: its own JSON mapper writes these instants.
        java.time.Instant end = java.time.Instant.now();
        java.time.Instant start = end.minusMillis(1500);
        update.put("ExecutionStartDateTime", start);
        update.put("ExecutionEndDateTime", end);
        Map<String, Object> plugin = new LinkedHashMap<>();
        plugin.put("Name", "runShellScript");
        plugin.put("Status", status);
        plugin.put("ResponseCode", code);
        plugin.put("ResponseStartDateTime", start);
        plugin.put("ResponseFinishDateTime", end);
        plugin.put("StandardOutputContent", stdout);
        plugin.put("StandardErrorContent", stderr);
        update.put("Plugins", List.of(plugin));
        agent.client().call("Patchtide.UpdateCommandInvocation", update);
    }

    /** The states of a command's invocations straight from the database, by instance. */
    Map<String, String> states(String commandId) {
        Node node = nodes.getFirst();
        Map<String, String> states = new LinkedHashMap<>();
        node.database().jdbi().useHandle(h -> h.createQuery("SELECT instance_id, state FROM command_invocations"
                        + " WHERE command_id = CAST(:id AS uuid) ORDER BY seq")
                .bind("id", commandId)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> states.put(e.getKey(), e.getValue())));
        return states;
    }

    @Override
    public void close() {
        for (Node node : List.copyOf(nodes)) {
            stop(node);
        }
    }
}
