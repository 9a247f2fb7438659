package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every shipped blueprint, its parameters filled, passes the server's ValidateStateMachineDefinition. */
class BlueprintsValidationTest {
    static TestServer server;
    static ApiClient api;

    @BeforeAll
    static void start() {
        server = TestServer.start(MutableClock.ofNow());
        api = server.adminClient();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Iterable<String> names() {
        return Blueprints.names();
    }

    /** A value for every parameter without a default, shaped like what a user passes. */
    static Map<String, String> sampleParameters(Blueprints.Blueprint blueprint) {
        Map<String, String> values = new HashMap<>();
        for (Blueprints.Parameter p : blueprint.parameters()) {
            if (p.defaultValue().isEmpty()) {
                values.put(
                        p.name(),
                        switch (p.name()) {
                            case "ConnectionArn" ->
                                "arn:aws:events:us-east-1:123456789012:connection/teams/0b1c2d3e-aaaa-bbbb-cccc-000000000000";
                            case "TeamsWebhookUrl" -> "https://example.webhook.office.com/webhookb2/abc%40def";
                            default -> "arn:aws:sns:us-east-1:123456789012:" + p.name();
                        });
            }
        }
        return values;
    }

    @ParameterizedTest
    @MethodSource("names")
    void validatesWithoutDiagnostics(String name) throws Exception {
        Blueprints.Blueprint blueprint = Blueprints.named(name).orElseThrow();
        assertThat(blueprint.summary()).isNotBlank();
        Blueprints.Filled filled = blueprint.fill(sampleParameters(blueprint));
        assertThat(filled.definition().toString()).doesNotContain("${");
        assertThat(filled.rule().toString()).doesNotContain("${");
        assertThat(filled.eventPattern().isPresent()
                        ^ filled.scheduleExpression().isPresent())
                .as("a rule has a pattern or a schedule")
                .isTrue();

        JsonNode result = api.call(
                "AWSStepFunctions.ValidateStateMachineDefinition",
                Map.of("definition", filled.definition().toString(), "type", "STANDARD"));
        assertThat(result.path("diagnostics")).as(result.toString()).isEmpty();
        assertThat(result.path("result").asText()).isEqualTo("OK");
    }

    @org.junit.jupiter.api.Test
    void theValidatorWouldSeeAnUnfilledNumberParameter() throws Exception {
        // The shipped file keeps "${TimeoutSeconds}" as a string, which is no TimeoutSeconds: filling matters.
        JsonNode result = api.call(
                "AWSStepFunctions.ValidateStateMachineDefinition",
                Map.of("definition", Blueprints.definitionText("patch-on-approval"), "type", "STANDARD"));
        assertThat(result.path("result").asText()).isEqualTo("FAIL");
        assertThat(result.path("diagnostics").toString()).contains("TimeoutSeconds");
    }
}
