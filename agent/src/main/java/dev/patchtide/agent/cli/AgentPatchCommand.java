package dev.patchtide.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.RegistrationFile;
import dev.patchtide.agent.tls.ServerCa;
import dev.patchtide.core.auth.SigV4Credentials;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Self-service patching on a host (seed 004): the host's owner asks the server, with this host's own instance
 * key, to run AWS-RunPatchBaseline on this host only, then follows the command to its end. The server refuses
 * the key for any other instance, so the host can patch itself and nothing else.
 */
@Command(
        name = "patch",
        mixinStandardHelpOptions = true,
        description = {
            "Scan or patch this host through the server, as this host's agent: AWS-RunPatchBaseline for this"
                    + " instance only, followed to its end. The agent must be running ('patchtide up' or"
                    + " 'patchtide agent run') to run it.",
            "The registration used is found as for 'agent scan'."
        },
        subcommands = {AgentPatchCommand.Scan.class, AgentPatchCommand.Install.class})
final class AgentPatchCommand {
    static final String DOCUMENT = "AWS-RunPatchBaseline";

    /** What {@code scan} and {@code install} share: the registration, how long Pending is normal, the follow. */
    static final class Common {
        @Mixin
        AgentCommand.StateDir state;

        @Option(
                names = "--pending-notice",
                defaultValue = "PT10S",
                hidden = true,
                description = "After how long Pending the agent is said to be perhaps not running (ISO-8601).")
        Duration pendingNotice;

        @Option(names = "--output", description = "Print the full output, not only its first 24,000 characters.")
        boolean fullOutput;

        /** Sends the document for this host with its own key, follows it; 0 when it succeeded, else 1. */
        int run(CommandSpec spec, Map<String, List<String>> parameters) throws Exception {
            RegistrationFile file = state.fileOrUpAgent();
            Registration registration = file.read().orElseThrow(() -> state.notRegistered(file));
            ApiClient client = new ApiClient(
                    URI.create(registration.serverUrl()),
                    registration.region(),
                    Optional.of(new SigV4Credentials(registration.accessKeyId(), registration.secretAccessKey())),
                    Clock.systemUTC(),
                    ServerCa.httpClient(URI.create(registration.serverUrl()), file.stateDir()));
            String instanceId = registration.instanceId();
            PrintWriter out = spec.commandLine().getOut();
            out.println("Sending " + DOCUMENT + " "
                    + InvocationFollower.parameters(client.json().valueToTree(parameters)) + " for " + instanceId
                    + " (this host) to " + registration.serverUrl() + ".");
            out.flush();
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("DocumentName", DOCUMENT);
            request.put("InstanceIds", List.of(instanceId));
            request.put("Parameters", parameters);
            request.put("Comment", "patchtide agent patch, run on the host by " + System.getProperty("user.name"));
            String commandId;
            try {
                commandId = client.call("AmazonSSM.SendCommand", request)
                        .path("Command")
                        .path("CommandId")
                        .asText();
            } catch (ApiCallException e) {
                if (e.code().equals("AccessDeniedException")) {
                    throw new IllegalStateException("the server refused this host's key (" + registration.accessKeyId()
                            + ") for instance " + instanceId + ": an instance key may send commands to its own"
                            + " instance only, so the registration in " + file.path() + " is not this key's own."
                            + " Nothing was sent. (" + e.getMessage() + ")");
                }
                throw e;
            }
            out.println("Command " + commandId + " sent; following it (Ctrl-C stops following, not the command).");
            out.flush();
            InvocationFollower follower = new InvocationFollower(client, out, pendingNotice);
            JsonNode outcome = follower.follow(commandId, instanceId);
            out.println();
            follower.printOutcome(outcome, fullOutput);
            return outcome.path("Status").asText().equals("Success") ? 0 : 1;
        }
    }

    @Command(
            name = "scan",
            mixinStandardHelpOptions = true,
            description = "Scan this host for missing patches (AWS-RunPatchBaseline Operation=Scan) and report them.")
    static final class Scan implements Callable<Integer> {
        @Mixin
        Common common;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, List<String>> parameters = new LinkedHashMap<>();
            parameters.put("Operation", List.of("Scan"));
            return common.run(spec, parameters);
        }
    }

    @Command(
            name = "install",
            mixinStandardHelpOptions = true,
            description = "Install this host's approved missing patches (AWS-RunPatchBaseline Operation=Install),"
                    + " except those given with --exclude.")
    static final class Install implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(
                names = "--exclude",
                paramLabel = "ID",
                description = "A patch not to install (its id as 'compliance report' lists it, e.g. a package"
                        + " name); repeatable.")
        List<String> exclude = new ArrayList<>();

        @Option(
                names = "--no-reboot",
                description = "Never reboot (RebootOption=NoReboot); patches needing one stay pending reboot.")
        boolean noReboot;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, List<String>> parameters = new LinkedHashMap<>();
            parameters.put("Operation", List.of("Install"));
            if (!exclude.isEmpty()) {
                parameters.put("ExcludePatches", List.copyOf(exclude));
            }
            if (noReboot) {
                parameters.put("RebootOption", List.of("NoReboot"));
            }
            return common.run(spec, parameters);
        }
    }
}
