package dev.patchtide.server.install;

import static org.awaitility.Awaitility.await;

import dev.patchtide.agent.Agent;
import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.Registrar;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.RegistrationFile;
import dev.patchtide.agent.install.RunPatchBaseline;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;
import software.amazon.awssdk.services.ssm.model.PatchComplianceDataState;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * A host registered with a test server in a patch group, and {@code AWS-RunPatchBaseline} sent to it through the
 * AWS SDK: what the real-install tests of every package family (apt, dnf, zypper) share.
 */
final class PatchedHost {
    private final SsmClient ssm;
    private final Registration registration;

    private PatchedHost(SsmClient ssm, Registration registration) {
        this.ssm = ssm;
        this.registration = registration;
    }

    /** Registers a new instance (its state in {@code agentState}) in {@code patchGroup}, judged by {@code baselineId}. */
    static PatchedHost register(TestServer server, Path agentState, String patchGroup, String baselineId)
            throws Exception {
        SsmClient ssm = server.ssm();
        ssm.registerPatchBaselineForPatchGroup(b -> b.baselineId(baselineId).patchGroup(patchGroup));
        var activation = ssm.createActivation(b -> b.iamRole("patchtide-agent"));
        Registration registration = new Registrar(InstantSource.system())
                .register(
                        server.endpoint(),
                        TestServer.REGION,
                        activation.activationId(),
                        activation.activationCode(),
                        new RegistrationFile(agentState));
        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(registration.instanceId())
                .tags(Tag.builder().key("Patch Group").value(patchGroup).build()));
        return new PatchedHost(ssm, registration);
    }

    Registration registration() {
        return registration;
    }

    /**
     * Starts this instance's agent on the host tree at {@code root}: its scans, installs and reboot bookkeeping all
     * happen in that tree (the agent's own setting, not a document parameter: AWS-RunPatchBaseline has none).
     */
    Agent startAgentOn(Path root, Path agentState) {
        Agent agent = new Agent(
                        registration,
                        agentState,
                        Duration.ofSeconds(5),
                        Duration.ZERO,
                        root,
                        () -> HostFacts.collect(root),
                        InstantSource.system())
                .plugin(new RunPatchBaseline());
        agent.start();
        return agent;
    }

    String send(String operation, String rebootOption, List<String> excluded) {
        return ssm.sendCommand(b -> b.documentName("AWS-RunPatchBaseline")
                        .instanceIds(registration.instanceId())
                        .parameters(Map.of(
                                "Operation", List.of(operation),
                                "RebootOption", List.of(rebootOption),
                                "ExcludePatches", excluded)))
                .command()
                .commandId();
    }

    /** {@code Operation} without a reboot or exclusions. */
    String send(String operation) {
        return send(operation, "NoReboot", List.of());
    }

    /** The invocation once it ended, whichever way. */
    GetCommandInvocationResponse finished(String commandId) {
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

    InstancePatchState state() {
        return ssm.describeInstancePatchStates(b -> b.instanceIds(registration.instanceId()))
                .instancePatchStates()
                .getFirst();
    }

    /** The instance's patch states by KB id (name.arch:version). */
    Map<String, PatchComplianceDataState> statesByKbId() {
        Map<String, PatchComplianceDataState> states = new TreeMap<>();
        ssm.describeInstancePatchesPaginator(b -> b.instanceId(registration.instanceId()))
                .patches()
                .forEach(p -> states.put(p.kbId(), p.state()));
        return states;
    }

    /** The states of the patches whose title starts with {@code prefix} (the test's packages), by package name. */
    Map<String, PatchComplianceDataState> statesByName(String prefix) {
        Map<String, PatchComplianceDataState> states = new TreeMap<>();
        ssm.describeInstancePatchesPaginator(b -> b.instanceId(registration.instanceId()))
                .patches()
                .forEach(p -> {
                    if (p.title().startsWith(prefix)) {
                        states.put(p.title().split("[ .:]")[0], p.state());
                    }
                });
        return states;
    }
}
