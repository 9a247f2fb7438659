package dev.patchtide.server.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.agent.Agent;
import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.Registrar;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.RegistrationFile;
import dev.patchtide.agent.install.RunPatchBaseline;
import dev.patchtide.agent.scan.zypper.ZypperTestRoot;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;
import software.amazon.awssdk.services.ssm.model.OperatingSystem;
import software.amazon.awssdk.services.ssm.model.PatchComplianceDataState;
import software.amazon.awssdk.services.ssm.model.PatchFilter;
import software.amazon.awssdk.services.ssm.model.PatchOperationType;
import software.amazon.awssdk.services.ssm.model.PatchRule;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * Issue 14's third proof for zypper: a SLES root the real zypper manages (packages built by rpmbuild, patches in
 * updateinfo), the real agent targeting that root, and {@code SendCommand AWS-RunPatchBaseline Operation=Install}
 * through the AWS SDK: the real zypper installs exactly the update the SUSE baseline approves (a security patch of
 * important severity), the recommended and the low-severity security updates stay, every other package of the root
 * as it was; compliance before and after.
 */
class ZypperRealInstallTest {
    static final String FIX = "pt-zy-openssl";
    static final String RECOMMENDED = "pt-zy-tools";
    static final String LOW = "pt-zy-curl";

    @TempDir
    static Path dir;

    static ZypperTestRoot zypper;
    static final MutableClock clock = MutableClock.ofNow();
    static TestServer server;
    static SsmClient ssm;
    static Registration registration;
    static Agent agent;
    static String baselineId;

    @BeforeAll
    static void start() throws Exception {
        zypper = ZypperTestRoot.create(dir.resolve("zypper"));
        String suse = "SUSE LLC <https://www.suse.com/>";
        for (String name : List.of(FIX, RECOMMENDED, LOW, "pt-zy-base")) {
            zypper.rpm("sle-updates", name, "1.0", suse, "x86_64");
        }
        zypper.rpm("sle-updates", FIX, "2.0", suse, "x86_64");
        zypper.rpm("sle-updates", RECOMMENDED, "1.1", suse, "x86_64");
        zypper.rpm("sle-updates", LOW, "1.5", suse, "x86_64");
        long issued = 1_764_000_000L;
        String prefix = "SUSE-SLE-Module-Basesystem-15-SP5-2026-";
        zypper.patch(
                "sle-updates",
                prefix + "4101",
                "security",
                "important",
                issued,
                List.of("CVE-2026-4101"),
                FIX,
                "2.0",
                "x86_64");
        zypper.patch(
                "sle-updates",
                prefix + "4102",
                "recommended",
                "moderate",
                issued,
                List.of(),
                RECOMMENDED,
                "1.1",
                "x86_64");
        zypper.patch(
                "sle-updates",
                prefix + "4103",
                "security",
                "low",
                issued,
                List.of("CVE-2026-4103"),
                LOW,
                "1.5",
                "x86_64");
        zypper.publish("sle-updates", 99);
        zypper.install(
                FIX + "-1.0-1.x86_64", RECOMMENDED + "-1.0-1.x86_64", LOW + "-1.0-1.x86_64", "pt-zy-base-1.0-1.x86_64");

        server = TestServer.start(clock);
        ssm = server.ssm();
        // The SUSE predefined baseline's rule, approving at once (the test's patches are a year old anyway)
        baselineId = ssm.createPatchBaseline(b -> b.name("sles-security")
                        .operatingSystem(OperatingSystem.SUSE)
                        .approvalRules(r -> r.patchRules(PatchRule.builder()
                                .approveAfterDays(0)
                                .complianceLevel("CRITICAL")
                                .patchFilterGroup(g -> g.patchFilters(
                                        PatchFilter.builder()
                                                .key("CLASSIFICATION")
                                                .values("Security")
                                                .build(),
                                        PatchFilter.builder()
                                                .key("SEVERITY")
                                                .values("Critical", "Important")
                                                .build()))
                                .build())))
                .baselineId();
        ssm.registerPatchBaselineForPatchGroup(b -> b.baselineId(baselineId).patchGroup("sles"));
        var activation = ssm.createActivation(b -> b.iamRole("patchtide-agent"));
        registration = new Registrar(InstantSource.system())
                .register(
                        server.endpoint(),
                        TestServer.REGION,
                        activation.activationId(),
                        activation.activationCode(),
                        new RegistrationFile(dir.resolve("agent")));
        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(registration.instanceId())
                .tags(Tag.builder().key("Patch Group").value("sles").build()));
        // The agent of that root: its scans, its installs and its reboot bookkeeping all happen in the root, which
        // is a running host's tree: it has this boot's id where the kernel gives it.
        Path root = zypper.root();
        Path bootId = root.resolve("proc/sys/kernel/random/boot_id");
        Files.createDirectories(bootId.getParent());
        Files.copy(Path.of("/proc/sys/kernel/random/boot_id"), bootId);
        agent = new Agent(
                        registration,
                        dir.resolve("agent"),
                        Duration.ofSeconds(5),
                        Duration.ZERO,
                        root,
                        () -> HostFacts.collect(root),
                        InstantSource.system())
                .plugin(new RunPatchBaseline());
        agent.start();
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void installMakesExactlyTheApprovedUpdateThroughZypper() throws Exception {
        GetCommandInvocationResponse scan = finished(send("Scan"));
        assertThat(scan.status()).as(scan.standardOutputContent()).isEqualTo(CommandInvocationStatus.SUCCESS);
        assertThat(states()).containsEntry(FIX, PatchComplianceDataState.MISSING);
        assertThat(state().missingCount()).isEqualTo(1);
        assertThat(state().baselineId())
                .as("judged by the SUSE baseline of its patch group")
                .isEqualTo(baselineId);
        String before = zypper.zypper("--xmlout", "list-updates");
        assertThat(before).contains(FIX, RECOMMENDED, LOW);

        GetCommandInvocationResponse install = finished(send("Install"));

        assertThat(install.status()).as(install.standardOutputContent()).isEqualTo(CommandInvocationStatus.SUCCESS);
        assertThat(install.standardOutputContent()).contains("zypper", "update", FIX + ".x86_64=2.0-1");
        assertThat(zypper.installed(FIX)).isEqualTo("2.0-1");
        assertThat(zypper.installed(RECOMMENDED))
                .as("not approved: recommended")
                .isEqualTo("1.0-1");
        assertThat(zypper.installed(LOW)).as("not approved: low severity").isEqualTo("1.0-1");
        assertThat(zypper.installed("pt-zy-base")).isEqualTo("1.0-1");
        String after = zypper.zypper("--xmlout", "list-updates");
        assertThat(after).doesNotContain(FIX).contains(RECOMMENDED, LOW);

        assertThat(states()).containsEntry(FIX, PatchComplianceDataState.INSTALLED_PENDING_REBOOT);
        InstancePatchState state = state();
        assertThat(state.operation()).isEqualTo(PatchOperationType.INSTALL);
        assertThat(state.missingCount()).isZero();
        assertThat(state.installedPendingRebootCount()).isEqualTo(1);
    }

    static String send(String operation) {
        return ssm.sendCommand(b -> b.documentName("AWS-RunPatchBaseline")
                        .instanceIds(registration.instanceId())
                        .parameters(Map.of("Operation", List.of(operation), "RebootOption", List.of("NoReboot"))))
                .command()
                .commandId();
    }

    static GetCommandInvocationResponse finished(String commandId) {
        AtomicReference<GetCommandInvocationResponse> last = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    last.set(ssm.getCommandInvocation(
                            b -> b.commandId(commandId).instanceId(registration.instanceId())));
                    return switch (last.get().status()) {
                        case SUCCESS, FAILED, CANCELLED, TIMED_OUT -> true;
                        default -> false;
                    };
                });
        return last.get();
    }

    static InstancePatchState state() {
        return ssm.describeInstancePatchStates(b -> b.instanceIds(registration.instanceId()))
                .instancePatchStates()
                .getFirst();
    }

    /** The state of each test package in the instance's compliance, by package name. */
    static Map<String, PatchComplianceDataState> states() {
        Map<String, PatchComplianceDataState> states = new TreeMap<>();
        ssm.describeInstancePatchesPaginator(b -> b.instanceId(registration.instanceId()))
                .patches()
                .forEach(p -> {
                    if (p.title().startsWith("pt-zy-")) {
                        states.put(p.title().split("[ .:]")[0], p.state());
                    }
                });
        return states;
    }
}
