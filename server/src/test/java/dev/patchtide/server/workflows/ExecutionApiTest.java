package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.InvalidDefinitionException;
import software.amazon.awssdk.services.sfn.model.InvalidNameException;
import software.amazon.awssdk.services.sfn.model.StartSyncExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.StateMachineType;
import software.amazon.awssdk.services.sfn.model.SyncExecutionStatus;

/** The API's rules as AWS has them: names, idempotency, listings and their pages, stopping, EXPRESS. */
class ExecutionApiTest {
    static final String ROLE = "arn:aws:iam::123456789012:role/workflows";
    static final String WAITS =
            """
            {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 86400, "End": true}}}""";
    static TestServer server;
    static SfnClient sfn;

    @BeforeAll
    static void start() {
        server = TestServer.start(MutableClock.ofNow());
        sfn = SfnClients.sfn(server);
    }

    @AfterAll
    static void stop() {
        sfn.close();
        server.close();
    }

    @Test
    void machinesAreCheckedNamedAndCreatedIdempotently() {
        String arn = sfn.createStateMachine(
                        b -> b.name("idem").definition(WAITS).roleArn(ROLE))
                .stateMachineArn();
        assertThat(arn).isEqualTo("arn:aws:states:us-east-1:123456789012:stateMachine:idem");
        assertThat(sfn.createStateMachine(b -> b.name("idem").definition(WAITS).roleArn(ROLE))
                        .stateMachineArn())
                .isEqualTo(arn);
        assertThatThrownBy(() -> sfn.createStateMachine(b ->
                        b.name("idem").definition(WAITS.replace("86400", "5")).roleArn(ROLE)))
                .isInstanceOf(StateMachineAlreadyExistsException.class);
        assertThatThrownBy(() -> sfn.createStateMachine(
                        b -> b.name("has space").definition(WAITS).roleArn(ROLE)))
                .isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> sfn.createStateMachine(b -> b.name("broken")
                        .definition("{\"StartAt\": \"Nowhere\", \"States\": {}}")
                        .roleArn(ROLE)))
                .isInstanceOf(InvalidDefinitionException.class)
                .hasMessageStartingWith("Invalid State Machine Definition: '");
        assertThatThrownBy(() -> sfn.describeStateMachine(b -> b.stateMachineArn(arn + "-missing")))
                .isInstanceOf(StateMachineDoesNotExistException.class);

        var described = sfn.describeStateMachine(b -> b.stateMachineArn(arn));
        assertThat(described.definition()).isEqualTo(WAITS);
        assertThat(described.typeAsString()).isEqualTo("STANDARD");
        String version = sfn.updateStateMachine(b -> b.stateMachineArn(arn)
                        .definition(WAITS.replace("86400", "60"))
                        .publish(true))
                .stateMachineVersionArn();
        assertThat(version).isEqualTo(arn + ":1");
        assertThat(sfn.describeStateMachine(b -> b.stateMachineArn(version)).definition())
                .contains("60");
        var valid = sfn.validateStateMachineDefinition(b -> b.definition(WAITS));
        assertThat(valid.resultAsString()).isEqualTo("OK");
        var invalid = sfn.validateStateMachineDefinition(b -> b.definition("{\"StartAt\": 1}"));
        assertThat(invalid.resultAsString()).isEqualTo("FAIL");
        assertThat(invalid.diagnostics()).isNotEmpty();
    }

    @Test
    void startIsIdempotentForTheSameNameAndInputWhileRunning() {
        String arn = sfn.createStateMachine(
                        b -> b.name("starts").definition(WAITS).roleArn(ROLE))
                .stateMachineArn();
        var first = sfn.startExecution(b -> b.stateMachineArn(arn).name("once").input("{\"a\":1}"));
        var again = sfn.startExecution(b -> b.stateMachineArn(arn).name("once").input("{\"a\":1}"));
        assertThat(again.executionArn()).isEqualTo(first.executionArn());
        assertThat(again.startDate()).isEqualTo(first.startDate());
        assertThatThrownBy(() -> sfn.startExecution(
                        b -> b.stateMachineArn(arn).name("once").input("{\"a\":2}")))
                .isInstanceOf(ExecutionAlreadyExistsException.class);

        var stopped = sfn.stopExecution(
                b -> b.executionArn(first.executionArn()).error("Ops").cause("by hand"));
        assertThat(stopped.stopDate()).isNotNull();
        var described = sfn.describeExecution(b -> b.executionArn(first.executionArn()));
        assertThat(described.status()).isEqualTo(ExecutionStatus.ABORTED);
        assertThat(described.error()).isEqualTo("Ops");
        assertThat(described.cause()).isEqualTo("by hand");
        assertThatThrownBy(() -> sfn.startExecution(
                        b -> b.stateMachineArn(arn).name("once").input("{\"a\":1}")))
                .as("a name is never reused once its execution ended")
                .isInstanceOf(ExecutionAlreadyExistsException.class);
        assertThatThrownBy(() -> sfn.describeExecution(b -> b.executionArn(first.executionArn() + "x")))
                .isInstanceOf(ExecutionDoesNotExistException.class);
    }

    @Test
    void executionsAreListedNewestFirstByPageAndStatus() {
        String arn = sfn.createStateMachine(
                        b -> b.name("listed").definition(WAITS).roleArn(ROLE))
                .stateMachineArn();
        for (int i = 0; i < 5; i++) {
            int n = i;
            sfn.startExecution(b -> b.stateMachineArn(arn).name("run-" + n));
        }
        sfn.stopExecution(b -> b.executionArn(arn.replace(":stateMachine:", ":execution:") + ":run-1"));

        List<String> names = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            var page =
                    sfn.listExecutions(b -> b.stateMachineArn(arn).maxResults(2).nextToken(next));
            assertThat(page.executions().size()).isLessThanOrEqualTo(2);
            page.executions().forEach(e -> names.add(e.name()));
            token = page.nextToken();
        } while (token != null);
        assertThat(names).containsExactly("run-4", "run-3", "run-2", "run-1", "run-0");
        assertThat(
                        sfn
                                .listExecutions(b -> b.stateMachineArn(arn).statusFilter(ExecutionStatus.ABORTED))
                                .executions()
                                .stream()
                                .map(ExecutionListItem::name))
                .containsExactly("run-1");
    }

    @Test
    void historyPagesForwardAndBackward() {
        String arn = sfn.createStateMachine(b -> b.name("history")
                        .definition(
                                """
                                {"StartAt": "A", "States": {
                                  "A": {"Type": "Pass", "Next": "B"},
                                  "B": {"Type": "Pass", "Next": "C"},
                                  "C": {"Type": "Pass", "End": true}}}""")
                        .roleArn(ROLE))
                .stateMachineArn();
        String execution = sfn.startExecution(b -> b.stateMachineArn(arn).input("{\"secret\": 42}"))
                .executionArn();
        List<Long> forward = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            var page = sfn.getExecutionHistory(
                    b -> b.executionArn(execution).maxResults(3).nextToken(next));
            page.events().forEach(e -> forward.add(e.id()));
            token = page.nextToken();
        } while (token != null);
        assertThat(forward).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        List<HistoryEvent> reverse = sfn.getExecutionHistory(
                        b -> b.executionArn(execution).reverseOrder(true))
                .events();
        assertThat(reverse.getFirst().typeAsString()).isEqualTo("ExecutionSucceeded");
        assertThat(reverse.getLast().typeAsString()).isEqualTo("ExecutionStarted");
        var withoutData = sfn.getExecutionHistory(b -> b.executionArn(execution).includeExecutionData(false));
        assertThat(withoutData
                        .events()
                        .getFirst()
                        .executionStartedEventDetails()
                        .input())
                .isNull();
        assertThat(reverse.getLast().executionStartedEventDetails().input()).contains("42");
    }

    @Test
    void historyReadsTheSameFromPackedStepsAndFromStepsStoredAsText() throws Exception {
        String arn = sfn.createStateMachine(b -> b.name("packed")
                        .definition(
                                """
                                {"StartAt": "A", "States": {
                                  "A": {"Type": "Pass", "Parameters": {"n.$": "$.n", "s": "\u00e9\\\"q"},
                                        "ResultPath": "$.a", "Next": "Each"},
                                  "Each": {"Type": "Map", "ItemsPath": "$.items", "Next": "Done",
                                    "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}},
                                  "Done": {"Type": "Succeed"}}}""")
                        .roleArn(ROLE))
                .stateMachineArn();
        String execution = sfn.startExecution(b -> b.stateMachineArn(arn)
                        .input("{\"n\": 1.50, \"items\": [1, \"two\", {\"three\": 3}], \"emoji\": \"\ud83d\ude00\"}"))
                .executionArn();
        assertThat(WorkflowCalls.awaitEnd(sfn, execution).statusAsString()).isEqualTo("SUCCEEDED");
        var api = server.adminClient();
        List<Map<String, Object>> requests = List.of(
                Map.of("executionArn", execution),
                Map.of("executionArn", execution, "reverseOrder", true),
                Map.of("executionArn", execution, "includeExecutionData", false),
                Map.of("executionArn", execution, "maxResults", 5));
        List<String> packed = new ArrayList<>();
        for (var request : requests) {
            packed.add(api.call("AWSStepFunctions.GetExecutionHistory", request).toString());
        }
        var jdbi = server.database().jdbi();
        // The same steps as V31 stored them: each row's events as one JSON array of text.
        int rewritten = jdbi.withHandle(h -> {
            var rows = h.createQuery("SELECT first_id, packed FROM sfn_history_steps WHERE execution_arn = :arn")
                    .bind("arn", execution)
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getBytes(2)))
                    .list();
            for (var row : rows) {
                var text = dev.patchtide.server.api.ApiJson.documents().createArrayNode();
                PackedHistory.unpack(row.getValue()).forEach(text::add);
                h.createUpdate("UPDATE sfn_history_steps SET events = :text, packed = NULL"
                                + " WHERE execution_arn = :arn AND first_id = :first")
                        .bind("text", text.toString())
                        .bind("arn", execution)
                        .bind("first", row.getKey())
                        .execute();
            }
            return rows.size();
        });
        assertThat(rewritten).isPositive();
        for (int i = 0; i < requests.size(); i++) {
            assertThat(api.call("AWSStepFunctions.GetExecutionHistory", requests.get(i))
                            .toString())
                    .isEqualTo(packed.get(i));
        }
        assertThat(packed.getFirst()).contains("\"timestamp\"").contains("MapIterationSucceeded");
    }

    @Test
    void expressMachinesAnswerSynchronously() {
        String arn = sfn.createStateMachine(b -> b.name("express")
                        .type(StateMachineType.EXPRESS)
                        .definition(
                                """
                                {"StartAt": "Add", "States": {"Add": {"Type": "Pass",
                                  "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"}, "End": true}}}""")
                        .roleArn(ROLE))
                .stateMachineArn();
        StartSyncExecutionResponse done =
                sfn.startSyncExecution(b -> b.stateMachineArn(arn).input("{\"a\": 2, \"b\": 3}"));
        assertThat(done.status()).isEqualTo(SyncExecutionStatus.SUCCEEDED);
        assertThat(done.output()).isEqualTo("{\"sum\":5}");
        assertThat(done.executionArn()).startsWith("arn:aws:states:us-east-1:123456789012:express:express:");
    }
}
