package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.events.TargetMessages.InputTransformer;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetInputTest {
    static final ObjectNode EVENT = parse(
            """
            {"version":"0","id":"e1","detail-type":"Configuration Compliance State Change","source":"aws.ssm",
             "account":"123456789012","time":"2026-05-01T18:48:11Z","region":"us-east-1","resources":["arn:r"],
             "detail":{"resource-id":"mi-1","severity":"CRITICAL","missing":3,"tags":{"owner":"ops"},
                       "patches":[{"id":"KB1"},{"id":"KB2"}],"note":"say \\"hi\\""}}
            """);
    static final TargetInput.Context CONTEXT = new TargetInput.Context(
            EVENT, "arn:aws:events:us-east-1:123456789012:rule/r1", "r1", Instant.parse("2026-05-01T18:48:12Z"));

    static ObjectNode parse(String json) {
        try {
            return (ObjectNode) EventEnvelope.JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String transform(Map<String, String> paths, String template) {
        return TargetInput.transform(new InputTransformer(paths, template), CONTEXT);
    }

    @Test
    void quotedPlaceholdersGetEscapedTextAndBareOnesGetJson() {
        String out = transform(
                Map.of(
                        "id",
                        "$.detail.resource-id",
                        "n",
                        "$.detail.missing",
                        "tags",
                        "$.detail.tags",
                        "note",
                        "$.detail.note"),
                "{\"text\":\"<id> misses <n> (<note>)\",\"n\":<n>,\"id\":<id>,\"tags\":<tags>,\"tagsText\":\"<tags>\"}");
        ObjectNode json = parse(out);
        assertThat(json.path("text").asText()).isEqualTo("mi-1 misses 3 (say \"hi\")");
        assertThat(json.path("n").asInt()).isEqualTo(3);
        assertThat(json.path("id").asText()).isEqualTo("mi-1");
        assertThat(json.path("tags").path("owner").asText()).isEqualTo("ops");
        assertThat(json.path("tagsText").asText()).isEqualTo("{\"owner\":\"ops\"}");
    }

    @Test
    void plainTextTemplatesAsInAwsDocs() {
        assertThat(transform(
                        Map.of("instance", "$.detail.resource-id", "status", "$.detail.severity"),
                        "<instance> is in state <status>"))
                .isEqualTo("mi-1 is in state CRITICAL");
        assertThat(transform(
                        Map.of("instance", "$.detail.resource-id", "status", "$.detail.severity"),
                        "\"<instance> is in state \\\"<status>\\\"\""))
                .isEqualTo("\"mi-1 is in state \\\"CRITICAL\\\"\"");
    }

    @Test
    void missingPathsArrayIndicesWildcardsAndPredefinedVariables() {
        ObjectNode json = parse(transform(
                Map.of("gone", "$.detail.nope", "first", "$.detail.patches[0].id", "all", "$.detail.patches[*].id"),
                "{\"gone\":<gone>,\"goneText\":\"<gone>\",\"first\":\"<first>\",\"all\":<all>,\"rule\":\"<aws.events.rule-arn>\","
                        + "\"name\":\"<aws.events.rule-name>\",\"at\":\"<aws.events.event.ingestion-time>\","
                        + "\"event\":<aws.events.event>,\"full\":<aws.events.event.json>}"));
        assertThat(json.path("gone").isNull()).isTrue();
        assertThat(json.path("goneText").asText()).isEmpty();
        assertThat(json.path("first").asText()).isEqualTo("KB1");
        assertThat(json.path("all").toString()).isEqualTo("[\"KB1\",\"KB2\"]");
        assertThat(json.path("rule").asText()).isEqualTo("arn:aws:events:us-east-1:123456789012:rule/r1");
        assertThat(json.path("name").asText()).isEqualTo("r1");
        assertThat(json.path("at").asText()).isEqualTo("2026-05-01T18:48:12Z");
        assertThat(json.path("event").has("detail")).isFalse();
        assertThat(json.path("event").path("id").asText()).isEqualTo("e1");
        assertThat(json.path("full").path("detail").path("missing").asInt()).isEqualTo(3);
    }

    @Test
    void unknownPlaceholdersStayAsWritten() {
        assertThat(transform(Map.of(), "<b>bold</b>")).isEqualTo("<b>bold</b>");
    }

    @Test
    void jsonPathValidation() {
        assertThat(JsonPaths.valid("$")).isTrue();
        assertThat(JsonPaths.valid("$.detail.resource-id")).isTrue();
        assertThat(JsonPaths.valid("$.detail.patches[0].id")).isTrue();
        assertThat(JsonPaths.valid("$.detail.*")).isTrue();
        assertThat(JsonPaths.valid("detail")).isFalse();
        assertThat(JsonPaths.valid("$..x")).isFalse();
        assertThat(JsonPaths.valid("$['a']")).isFalse();
    }
}
