package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code patchtide workflows ...} against a real server running real executions. */
class WorkflowsCommandTest {
    private static final String ROLE = "arn:aws:iam::123456789012:role/workflows";
    private static final String GREET = "{\"StartAt\":\"Greet\",\"States\":{\"Greet\":{\"Type\":\"Pass\","
            + "\"Parameters\":{\"hello.$\":\"$.name\"},\"End\":true}}}";
    private static final String HOLD =
            "{\"StartAt\":\"Hold\",\"States\":{\"Hold\":{\"Type\":\"Wait\"," + "\"Seconds\":3600,\"End\":true}}}";

    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.ofNow();
    private TestServer server;
    private ApiClient api;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(clock);
        api = server.adminClient();
        AdminProfileFiles.write(dataDir, server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void listsMachinesAndExecutionsAndShowsAnExecutionsHistory() throws Exception {
        String greet = machine("greeter", GREET);
        String hold = machine("holder", HOLD);
        String done = api.call(
                        "AWSStepFunctions.StartExecution",
                        Map.of("stateMachineArn", greet, "name", "first", "input", "{\"name\":\"ops\"}"))
                .path("executionArn")
                .asText();
        String waiting = api.call("AWSStepFunctions.StartExecution", Map.of("stateMachineArn", hold, "name", "parked"))
                .path("executionArn")
                .asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> status(done).equals("SUCCEEDED"));

        InProcessCli.Run listed = cli("workflows", "list");
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out())
                .containsPattern("greeter\\s+STANDARD\\s+\\S+\\s+" + greet)
                .containsPattern("holder\\s+STANDARD\\s+\\S+\\s+" + hold);

        InProcessCli.Run executions = cli("workflows", "executions", "greeter");
        assertThat(executions.exit()).as(executions.err()).isZero();
        assertThat(executions.out()).containsPattern("first\\s+SUCCEEDED\\s+\\S+\\s+\\S+\\s+" + done);

        InProcessCli.Run running = cli("workflows", "executions", hold, "--status", "RUNNING");
        assertThat(running.out()).containsPattern("parked\\s+RUNNING\\s+\\S+\\s+-\\s+" + waiting);
        assertThat(cli("workflows", "executions", "holder", "--status", "SUCCEEDED")
                        .out())
                .doesNotContain("parked");

        InProcessCli.Run shown = cli("workflows", "show", done);
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out())
                .contains("Status:     SUCCEEDED")
                .contains("Output:     {\"hello\":\"ops\"}")
                .containsPattern("1\\s+\\S+\\s+ExecutionStarted")
                .containsPattern("PassStateEntered\\s+Greet")
                .containsPattern("PassStateExited\\s+Greet")
                .contains("ExecutionSucceeded");
    }

    @Test
    void anUnknownMachineOrExecutionIsAnError() {
        InProcessCli.Run unknown = cli("workflows", "executions", "nobody");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("No state machine is named 'nobody'.");
        InProcessCli.Run missing =
                cli("workflows", "show", "arn:aws:states:us-east-1:123456789012:execution:nobody:none");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).startsWith("error: ExecutionDoesNotExist: ");
    }

    private String machine(String name, String definition) throws Exception {
        return api.call(
                        "AWSStepFunctions.CreateStateMachine",
                        Map.of("name", name, "definition", definition, "roleArn", ROLE))
                .path("stateMachineArn")
                .asText();
    }

    private String status(String executionArn) throws Exception {
        JsonNode described = api.call("AWSStepFunctions.DescribeExecution", Map.of("executionArn", executionArn));
        return described.path("status").asText();
    }

    private InProcessCli.Run cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dataDir.toString();
        return InProcessCli.run(all);
    }
}
