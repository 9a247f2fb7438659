package dev.patchtide.server.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.documents.DocumentResolver.ResolvedDocument;
import dev.patchtide.server.fleet.TagApi;
import dev.patchtide.server.fleet.TagStore;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DocumentFormat;

/** The plans commands get: documents created through the API, resolved as SendCommand resolves them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocumentResolverTest {
    TestServer server;
    SsmClient ssm;
    DocumentResolver resolver;

    @BeforeAll
    void start() {
        MutableClock clock = MutableClock.ofNow();
        server = TestServer.start(clock);
        ssm = server.ssm();
        var jdbi = server.database().jdbi();
        resolver = new Documents(
                        jdbi, clock, TestServer.REGION, ServerConfig.DEFAULT_ACCOUNT, new TagApi(jdbi, new TagStore()))
                .resolver();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void runShellScriptFillsDefaultsAndExpandsTheCommandList() {
        ResolvedDocument r = resolve("AWS-RunShellScript", Map.of("commands", List.of("echo a", "echo b")));
        assertThat(r.name()).isEqualTo("AWS-RunShellScript");
        assertThat(r.documentVersion()).isEqualTo("1");
        assertThat(r.parameters())
                .containsEntry("commands", List.of("echo a", "echo b"))
                .containsEntry("workingDirectory", List.of(""))
                .containsEntry("executionTimeout", List.of("3600"));
        JsonNode step = r.plan().path("Steps").get(0);
        assertThat(step.path("Name").asText()).isEqualTo("runShellScript");
        assertThat(step.path("Action").asText()).isEqualTo("aws:runShellScript");
        assertThat(step.path("Inputs").toString())
                .isEqualTo("{\"RunCommand\":[\"echo a\",\"echo b\"],\"TimeoutSeconds\":3600}");

        JsonNode custom = resolve(
                        "AWS-RunShellScript",
                        Map.of(
                                "commands", List.of("pwd"),
                                "workingDirectory", List.of("/srv"),
                                "executionTimeout", List.of("120")))
                .plan()
                .path("Steps")
                .get(0)
                .path("Inputs");
        assertThat(custom.path("WorkingDirectory").asText()).isEqualTo("/srv");
        assertThat(custom.path("TimeoutSeconds").asInt()).isEqualTo(120);

        assertInvalidParameters(
                () -> resolve("AWS-RunShellScript", Map.of("commands", List.of("x"), "executionTimeout", List.of("0"))),
                "executionTimeout");
        assertThatThrownBy(() -> resolve("AWS-RunShellScript", Map.of("commands", List.of("x".repeat(300_000)))))
                .isInstanceOfSatisfying(
                        ApiException.Invalid.class, e -> assertThat(e.code()).isEqualTo("MaxDocumentSizeExceeded"));
        assertInvalidParameters(() -> resolve("AWS-RunShellScript", Map.of()), "commands");
        assertInvalidParameters(() -> resolve("AWS-RunShellScript", Map.of("commands", List.of())), "commands");
        assertInvalidParameters(
                () -> resolve("AWS-RunShellScript", Map.of("commands", List.of("x"), "colour", List.of("red"))),
                "colour");
    }

    @Test
    void runPatchBaselineCarriesOperationRebootAndExclusions() {
        JsonNode inputs = resolve(
                        "AWS-RunPatchBaseline",
                        Map.of(
                                "Operation", List.of("Install"),
                                "RebootOption", List.of("NoReboot"),
                                "ExcludePatches", List.of("openssl", "curl")))
                .plan()
                .path("Steps")
                .get(0)
                .path("Inputs");
        assertThat(inputs.toString())
                .isEqualTo(
                        "{\"Operation\":\"Install\",\"SnapshotId\":\"\",\"RebootOption\":\"NoReboot\","
                                + "\"InstallOverrideList\":\"\",\"BaselineOverride\":\"\",\"ExcludePatches\":[\"openssl\",\"curl\"]}");
        ResolvedDocument scan = resolve("AWS-RunPatchBaseline", Map.of());
        assertThat(scan.parameters())
                .containsEntry("Operation", List.of("Scan"))
                .containsEntry("RebootOption", List.of("RebootIfNeeded"))
                .containsEntry("ExcludePatches", List.of());
        assertThat(scan.plan().path("Steps").get(0).path("Action").asText()).isEqualTo("patchtide:runPatchBaseline");
        assertThat(scan.plan()
                        .path("Steps")
                        .get(0)
                        .path("Inputs")
                        .path("ExcludePatches")
                        .isArray())
                .isTrue();

        assertInvalidParameters(
                () -> resolve("AWS-RunPatchBaseline", Map.of("Operation", List.of("Upgrade"))), "Operation");
        assertInvalidParameters(
                () -> resolve("AWS-RunPatchBaseline", Map.of("SnapshotId", List.of("not-a-uuid"))), "SnapshotId");
        assertInvalidParameters(
                () -> resolve("AWS-RunPatchBaseline", Map.of("InstallOverrideList", List.of("http://plain/list.yaml"))),
                "InstallOverrideList");
        assertInvalidParameters(
                () -> resolve("AWS-RunPatchBaseline", Map.of("RebootOption", List.of("Always"))), "RebootOption");
    }

    @Test
    void hooksBecomeNestedPlansAndNoopIsLeftOut() {
        create("pre-hook", shellDocument("echo before"));
        create("exit-hook", shellDocument("echo done"));
        JsonNode inputs = resolve(
                        "AWS-RunPatchBaselineWithHooks",
                        Map.of(
                                "Operation", List.of("Install"),
                                "PreInstallHookDocName", List.of("pre-hook"),
                                "OnExitHookDocName", List.of("exit-hook")))
                .plan()
                .path("Steps")
                .get(0)
                .path("Inputs");
        assertThat(inputs.path("Operation").asText()).isEqualTo("Install");
        assertThat(inputs.path("PreInstallHook")
                        .path("Steps")
                        .get(0)
                        .path("Inputs")
                        .path("RunCommand")
                        .toString())
                .isEqualTo("[\"echo before\"]");
        assertThat(inputs.path("OnExitHook")
                        .path("Steps")
                        .get(0)
                        .path("Inputs")
                        .path("RunCommand")
                        .toString())
                .isEqualTo("[\"echo done\"]");
        assertThat(inputs.has("PostInstallHook")).isFalse();
        assertThat(inputs.path("ExcludePatches").isEmpty()).isTrue();

        assertThat(resolve("AWS-RunPatchBaselineWithHooks", Map.of())
                        .plan()
                        .path("Steps")
                        .get(0)
                        .path("Inputs")
                        .has("PreInstallHook"))
                .isFalse();
        assertThatThrownBy(() -> resolve(
                        "AWS-RunPatchBaselineWithHooks", Map.of("PostInstallHookDocName", List.of("no-such-hook"))))
                .isInstanceOfSatisfying(
                        ApiException.NotFound.class, e -> assertThat(e.code()).isEqualTo("InvalidDocument"))
                .hasMessageContaining("postInstallHookDocName")
                .hasMessageContaining("no-such-hook");
    }

    @Test
    void everyTypeIsCheckedAndSubstituted() {
        create(
                "typed",
                """
                {"schemaVersion": "2.2",
                 "parameters": {
                   "s": {"type": "String", "allowedValues": ["one", "two"]},
                   "list": {"type": "StringList", "default": ["x", "y"], "maxItems": 3},
                   "flag": {"type": "Boolean", "default": false},
                   "n": {"type": "Integer", "default": 30},
                   "map": {"type": "StringMap", "default": {"k": "v"}},
                   "maps": {"type": "MapList", "default": [{"a": "1"}]}
                 },
                 "mainSteps": [{"action": "aws:runShellScript", "name": "all",
                   "inputs": {"runCommand": ["echo {{s}} {{ flag }} {{ n }}", "{{ list }}", "echo {{ list }}",
                     "echo {{ map }} {{ maps }}"],
                     "timeoutSeconds": "{{ n }}"}}]}
                """);
        JsonNode inputs = resolve("typed", Map.of("s", List.of("two"), "flag", List.of("true")))
                .plan()
                .path("Steps")
                .get(0)
                .path("Inputs");
        assertThat(inputs.path("RunCommand").toString())
                .isEqualTo(
                        "[\"echo two true 30\",\"x\",\"y\",\"echo x,y\",\"echo {\\\"k\\\":\\\"v\\\"} [{\\\"a\\\":\\\"1\\\"}]\"]");
        assertThat(inputs.path("TimeoutSeconds").asInt()).isEqualTo(30);

        // A value holding a reference is not substituted again.
        assertThat(resolve("typed", Map.of("s", List.of("one"), "list", List.of("{{ s }}")))
                        .plan()
                        .path("Steps")
                        .get(0)
                        .path("Inputs")
                        .path("RunCommand")
                        .get(1)
                        .asText())
                .isEqualTo("{{ s }}");

        assertInvalidParameters(() -> resolve("typed", Map.of("s", List.of("three"))), "s");
        assertInvalidParameters(() -> resolve("typed", Map.of("s", List.of("one", "two"))), "s");
        assertInvalidParameters(() -> resolve("typed", Map.of("s", List.of("one"), "flag", List.of("maybe"))), "flag");
        assertInvalidParameters(() -> resolve("typed", Map.of("s", List.of("one"), "n", List.of("ten"))), "n");
        assertInvalidParameters(
                () -> resolve("typed", Map.of("s", List.of("one"), "list", List.of("1", "2", "3", "4"))), "list");
        assertInvalidParameters(() -> resolve("typed", Map.of("s", List.of("one"), "map", List.of("[1]"))), "map");
        assertInvalidParameters(() -> resolve("typed", Map.of("s", List.of("one"), "maps", List.of("nope"))), "maps");
        assertInvalidParameters(
                () -> resolve("typed", Map.of("s", List.of("one"), "n", List.of("999999"))), "timeoutSeconds");
    }

    @Test
    void runDocumentResolvesNestedPlansWithinBounds() {
        create(
                "greet",
                """
                schemaVersion: "2.2"
                parameters:
                  who: {type: String}
                mainSteps:
                  - action: aws:runShellScript
                    name: greet
                    inputs: {runCommand: ["echo hi {{ who }}"]}
                """,
                DocumentFormat.YAML);
        create(
                "outer",
                """
                {"schemaVersion": "2.2", "parameters": {"name": {"type": "String", "default": "bob"}},
                 "mainSteps": [{"action": "aws:runDocument", "name": "nested",
                   "inputs": {"documentType": "SSMDocument", "documentPath": "greet",
                              "documentParameters": {"who": "{{ name }}"}}}]}
                """);
        JsonNode step = resolve("outer", Map.of()).plan().path("Steps").get(0);
        assertThat(step.path("Action").asText()).isEqualTo("aws:runDocument");
        assertThat(step.path("Inputs").path("DocumentName").asText()).isEqualTo("greet");
        assertThat(step.path("Inputs")
                        .path("Plan")
                        .path("Steps")
                        .get(0)
                        .path("Inputs")
                        .path("RunCommand")
                        .toString())
                .isEqualTo("[\"echo hi bob\"]");

        create("loop-a", runDocument("loop-b"));
        create("loop-b", runDocument("loop-a"));
        assertThatThrownBy(() -> resolve("loop-a", Map.of()))
                .isInstanceOfSatisfying(
                        ApiException.Invalid.class, e -> assertThat(e.code()).isEqualTo("InvalidDocument"))
                .hasMessageContaining("loop-a -> loop-b -> loop-a");

        create("deep-0", shellDocument("echo bottom"));
        for (int i = 1; i <= Resolver.MAX_NESTING + 1; i++) {
            create("deep-" + i, runDocument("deep-" + (i - 1)));
        }
        assertThat(resolve("deep-" + Resolver.MAX_NESTING, Map.of()).plan().toString())
                .contains("echo bottom");
        assertThatThrownBy(() -> resolve("deep-" + (Resolver.MAX_NESTING + 1), Map.of()))
                .isInstanceOfSatisfying(
                        ApiException.Invalid.class, e -> assertThat(e.code()).isEqualTo("InvalidDocument"))
                .hasMessageContaining("nest at most");

        create(
                "outer-bad",
                """
                {"schemaVersion": "2.2",
                 "mainSteps": [{"action": "aws:runDocument", "name": "nested",
                   "inputs": {"documentPath": "greet", "documentParameters": {"whom": "x"}}}]}
                """);
        assertInvalidParameters(() -> resolve("outer-bad", Map.of()), "whom");
    }

    @Test
    void versionsAreChosenByNumberDefaultOrLatest() {
        create("versioned", shellDocument("echo one"));
        ssm.updateDocument(b -> b.name("versioned").content(shellDocument("echo two")));
        assertThat(commandOf(resolver("versioned", Optional.empty()))).isEqualTo("echo one");
        assertThat(commandOf(resolver("versioned", Optional.of("$DEFAULT")))).isEqualTo("echo one");
        assertThat(commandOf(resolver("versioned", Optional.of("$LATEST")))).isEqualTo("echo two");
        ResolvedDocument two = resolver("versioned", Optional.of("2"));
        assertThat(two.documentVersion()).isEqualTo("2");
        assertThatThrownBy(() -> resolver("versioned", Optional.of("7")))
                .isInstanceOfSatisfying(
                        ApiException.NotFound.class, e -> assertThat(e.code()).isEqualTo("InvalidDocumentVersion"));
        assertThatThrownBy(() -> resolver("never-created", Optional.empty()))
                .isInstanceOfSatisfying(
                        ApiException.NotFound.class, e -> assertThat(e.code()).isEqualTo("InvalidDocument"));
    }

    private static String commandOf(ResolvedDocument r) {
        return r.plan()
                .path("Steps")
                .get(0)
                .path("Inputs")
                .path("RunCommand")
                .get(0)
                .asText();
    }

    private ResolvedDocument resolve(String name, Map<String, List<String>> parameters) {
        return server.database()
                .jdbi()
                .inTransaction(h -> resolver.resolve(h, name, Optional.empty(), new LinkedHashMap<>(parameters)));
    }

    private ResolvedDocument resolver(String name, Optional<String> version) {
        return server.database().jdbi().inTransaction(h -> resolver.resolve(h, name, version, Map.of()));
    }

    private void create(String name, String content) {
        create(name, content, DocumentFormat.JSON);
    }

    private void create(String name, String content, DocumentFormat format) {
        ssm.createDocument(b -> b.name(name).content(content).documentFormat(format));
    }

    private static String shellDocument(String command) {
        return "{\"schemaVersion\": \"2.2\", \"mainSteps\": [{\"action\": \"aws:runShellScript\", \"name\": \"run\","
                + " \"inputs\": {\"runCommand\": [\"" + command + "\"]}}]}";
    }

    private static String runDocument(String target) {
        return "{\"schemaVersion\": \"2.2\", \"mainSteps\": [{\"action\": \"aws:runDocument\", \"name\": \"next\","
                + " \"inputs\": {\"documentPath\": \"" + target + "\"}}]}";
    }

    private static void assertInvalidParameters(ThrowingCallable call, String parameter) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        ApiException.Invalid.class, e -> assertThat(e.code()).isEqualTo("InvalidParameters"))
                .hasMessageContaining(parameter);
    }
}
