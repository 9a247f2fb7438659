package dev.patchtide.agent.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.patchtide.agent.AgentJson;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.agent.commands.PatchScans;
import dev.patchtide.agent.commands.StepContext;
import dev.patchtide.agent.commands.StepResult;
import dev.patchtide.agent.install.PackageManager.Simulation;
import dev.patchtide.agent.install.PackageManager.Target;
import dev.patchtide.agent.scan.RebootCheck;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The patch step's order and failure rules (AWS-RunPatchBaselineWithHooks'), against a loopback server that
 * answers the install plan, a package manager that records what it is asked, and hooks that record their turn.
 */
class RunPatchBaselineTest {
    private static final ObjectMapper JSON = AgentJson.mapper();

    @TempDir
    Path root;

    HttpServer server;
    final List<JsonNode> planRequests = new CopyOnWriteArrayList<>();
    volatile String planAnswer;

    final List<String> events = new ArrayList<>();
    final List<PatchScans.PatchOperation> reports = new ArrayList<>();
    final Set<String> failingHooks = new java.util.HashSet<>();
    final AtomicBoolean cancelled = new AtomicBoolean();
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    final RecordingManager manager = new RecordingManager();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            planRequests.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            byte[] body = planAnswer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        boot("11111111-1111-1111-1111-111111111111");
        planAnswer = plan("pt-a", "2.0-1");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void boot(String id) throws Exception {
        Path bootId = root.resolve("proc/sys/kernel/random/boot_id");
        Files.createDirectories(bootId.getParent());
        Files.writeString(bootId, id + "\n");
    }

    /** A plan answer with one patch per name/version pair. */
    private static String plan(String... nameVersion) throws Exception {
        List<Map<String, Object>> patches = new ArrayList<>();
        for (int i = 0; i < nameVersion.length; i += 2) {
            patches.add(Map.of(
                    "Id",
                    nameVersion[i] + ".amd64:" + nameVersion[i + 1],
                    "Name",
                    nameVersion[i],
                    "Version",
                    nameVersion[i + 1],
                    "Architecture",
                    "amd64",
                    "InstalledVersion",
                    "1.0-1"));
        }
        return JSON.writeValueAsString(Map.of("BaselineId", "pb-0123456789abcdef0", "Patches", patches));
    }

    private static ObjectNode hook(String name) {
        ObjectNode plan = JSON.createObjectNode();
        plan.putArray("Steps").addObject().put("Name", name).put("Action", "aws:runShellScript");
        return plan;
    }

    private ObjectNode inputs(String operation, String reboot) {
        ObjectNode in = JSON.createObjectNode()
                .put("Operation", operation)
                .put("RebootOption", reboot)
                .put("SnapshotId", "0b3e3f4c-8d49-4e1a-9c3e-2f1d5a6b7c8d")
                .put("InstallOverrideList", "")
                .put("BaselineOverride", "");
        in.putArray("ExcludePatches").add("pt-excluded");
        return in;
    }

    private ObjectNode withHooks(ObjectNode in) {
        in.set("PreInstallHook", hook("pre"));
        in.set("PostInstallHook", hook("post"));
        in.set("OnExitHook", hook("exit"));
        return in;
    }

    private StepContext context(JsonNode inputs) {
        PatchScans scans = operation -> {
            events.add("report " + operation.operation());
            reports.add(operation);
            return JSON.readTree(
                    "{\"ComplianceStatus\": \"NON_COMPLIANT\", \"MissingCount\": 1, \"BaselineId\": \"pb-1\"}");
        };
        StepContext.NestedPlans nested = plan -> {
            String name = plan.path("Steps").get(0).path("Name").asText();
            events.add("hook " + name);
            return failingHooks.contains(name) ? StepResult.failed(2) : StepResult.success();
        };
        return new StepContext(
                "c-1",
                "mi-0123456789abcdef0",
                "PatchLinux",
                inputs,
                Instant.now().plusSeconds(3600),
                stdout,
                stderr,
                cancelled::get,
                nested,
                new ApiClient(
                        URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                        "us-east-1",
                        Optional.empty(),
                        InstantSource.system()),
                root,
                scans);
    }

    private RunPatchBaseline plugin() {
        return new RunPatchBaseline(r -> manager, OverrideList.standard(), InstantSource.system());
    }

    private String output() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    /** Installs what it is asked; the simulation says what the test sets. */
    final class RecordingManager implements PackageManager {
        List<String> extras = List.of();
        Map<Target, String> notUpgraded = Map.of();
        final Map<String, String> versions = new HashMap<>();

        @Override
        public List<String> installCommand(List<Target> targets) {
            return List.of("install", targets.toString());
        }

        @Override
        public Simulation simulate(List<Target> targets) {
            return new Simulation(0, extras, notUpgraded, "");
        }

        @Override
        public int install(List<Target> targets, OutputStream out, OutputStream err) {
            events.add("install "
                    + targets.stream().map(t -> t.name() + "=" + t.version()).toList());
            targets.forEach(t -> versions.put(t.name(), t.version()));
            return 0;
        }

        @Override
        public Map<String, String> installedVersions(List<String> names) {
            Map<String, String> out = new LinkedHashMap<>();
            names.stream().filter(versions::containsKey).forEach(n -> out.put(n, versions.get(n)));
            return out;
        }
    }

    @Test
    void scanReportsOnceAndRunsNoHookAndNoInstall() throws Exception {
        StepResult result = plugin().run(context(withHooks(inputs("Scan", "NoReboot"))));

        assertThat(result).isEqualTo(StepResult.success());
        assertThat(events).containsExactly("report Scan");
        assertThat(planRequests).isEmpty();
        PatchScans.PatchOperation op = reports.getFirst();
        assertThat(op.rebootOption()).isEqualTo("NoReboot");
        assertThat(op.snapshotId()).contains("0b3e3f4c-8d49-4e1a-9c3e-2f1d5a6b7c8d");
        assertThat(op.installOverrideList()).isEmpty();
    }

    @Test
    void installWithNoRebootRunsEveryHookInAwsOrderAndLeavesThePatchPendingReboot() throws Exception {
        StepResult result = plugin().run(context(withHooks(inputs("Install", "NoReboot"))));

        assertThat(result).isEqualTo(StepResult.success());
        assertThat(events)
                .containsExactly(
                        "report Scan", "hook pre", "install [pt-a=2.0-1]", "report Install", "hook post", "hook exit");
        JsonNode request = planRequests.getFirst();
        assertThat(request.path("InstanceId").asText()).isEqualTo("mi-0123456789abcdef0");
        assertThat(request.path("SnapshotId").asText()).isEqualTo("0b3e3f4c-8d49-4e1a-9c3e-2f1d5a6b7c8d");
        assertThat(request.path("ExcludePatches").get(0).asText()).isEqualTo("pt-excluded");
        assertThat(request.has("BaselineOverride")).isFalse();
        assertThat(output()).contains("Installed pt-a 2.0-1 (was 1.0-1)").contains("InstalledPendingReboot");
        assertThat(RebootCheck.installedSinceBoot(root)).containsExactly("pt-a=2.0-1");
        assertThat(new RebootCheck(root).check().pendingPackages(true)).contains("pt-a=2.0-1");
        assertThat(reports.getLast().operation()).isEqualTo("Install");
        assertThat(reports.getLast().rebootOption()).isEqualTo("NoReboot");
    }

    @Test
    void rebootIfNeededRebootsAfterThePostInstallHookAndRunsOnExitAfterTheReboot() throws Exception {
        StepResult before = plugin().run(context(withHooks(inputs("Install", "RebootIfNeeded"))));

        assertThat(before.rebootRequested()).isTrue();
        assertThat(events)
                .containsExactly("report Scan", "hook pre", "install [pt-a=2.0-1]", "report Install", "hook post");

        boot("22222222-2222-2222-2222-222222222222");
        StepResult after = plugin().resumeAfterReboot(context(withHooks(inputs("Install", "RebootIfNeeded"))));

        assertThat(after).isEqualTo(StepResult.success());
        assertThat(events.subList(5, events.size())).containsExactly("report Install", "hook exit");
        assertThat(new RebootCheck(root).check().required()).isFalse();
    }

    @Test
    void aFailedPreInstallHookSkipsToTheOnExitHookAndFailsTheStep() throws Exception {
        failingHooks.add("pre");

        StepResult result = plugin().run(context(withHooks(inputs("Install", "RebootIfNeeded"))));

        assertThat(result.status()).isEqualTo("Failed");
        assertThat(result.rebootRequested()).isFalse();
        assertThat(events).containsExactly("report Scan", "hook pre", "hook exit");
        assertThat(output()).contains("PreInstallHook ended Failed");
    }

    @Test
    void aFailedPostInstallHookStillRunsOnExitAndDoesNotReboot() throws Exception {
        failingHooks.add("post");

        StepResult result = plugin().run(context(withHooks(inputs("Install", "RebootIfNeeded"))));

        assertThat(result.status()).isEqualTo("Failed");
        assertThat(result.rebootRequested()).isFalse();
        assertThat(events.getLast()).isEqualTo("hook exit");
    }

    @Test
    void nothingMissingAndNoRebootDueGoesStraightToTheOnExitHook() throws Exception {
        planAnswer = plan();

        StepResult result = plugin().run(context(withHooks(inputs("Install", "RebootIfNeeded"))));

        assertThat(result).isEqualTo(StepResult.success());
        assertThat(events).containsExactly("report Scan", "report Install", "hook exit");
        assertThat(output()).contains("No approved patch is missing");
    }

    @Test
    void extrasAndRefusedUpdatesAreNamedAndARefusedUpdateFailsTheStep() throws Exception {
        planAnswer = plan("pt-a", "2.0-1", "pt-b", "1.1-1");
        Target b = new Target("pt-b", "1.1-1", "amd64");
        manager.extras = List.of("install pt-dep 1.0-1 (new package)");
        manager.notUpgraded = Map.of(b, "Skipping pt-b, it is not installed and only upgrades are requested.");

        StepResult result = plugin().run(context(inputs("Install", "NoReboot")));

        assertThat(result.status()).isEqualTo("Failed");
        assertThat(events).contains("install [pt-a=2.0-1]");
        assertThat(output())
                .contains("install pt-dep 1.0-1 (new package)")
                .contains("pt-b 1.1-1 (amd64): Skipping pt-b, it is not installed")
                .contains("Installed pt-a 2.0-1");
        assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("pt-b");
    }

    @Test
    void badInputsAreRefusedBeforeAnythingRuns() throws Exception {
        StepResult result = plugin().run(context(inputs("Upgrade", "NoReboot")));
        assertThat(result.status()).isEqualTo("Failed");
        assertThat(output()).contains("Operation: 'Upgrade'");

        ObjectNode plainHttp = inputs("Install", "NoReboot").put("InstallOverrideList", "http://example.net/l.yaml");
        assertThat(plugin().run(context(plainHttp)).status()).isEqualTo("Failed");
        assertThat(output()).contains("InstallOverrideList").contains("not an https URL");
        assertThat(events).isEmpty();
    }

    @Test
    void aBaselineOverrideGivenAsJsonTextGoesToThePlanAsJson() throws Exception {
        ObjectNode in = inputs("Install", "NoReboot")
                .put("BaselineOverride", "[{\"OperatingSystem\": \"DEBIAN\", \"ApprovedPatches\": [\"pt-a\"]}]");

        plugin().run(context(in));

        assertThat(planRequests
                        .getFirst()
                        .path("BaselineOverride")
                        .get(0)
                        .path("OperatingSystem")
                        .asText())
                .isEqualTo("DEBIAN");
    }

    @Test
    void aCancelledCommandStopsBeforeInstalling() throws Exception {
        cancelled.set(true);

        StepResult result = plugin().run(context(withHooks(inputs("Install", "NoReboot"))));

        assertThat(result.status()).isEqualTo("Cancelled");
        assertThat(events).doesNotContain("hook pre").noneMatch(e -> e.startsWith("install"));
    }
}
