package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.tls.Fingerprints;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Hybrid activations: what a new host needs to register its agent. */
@Command(
        name = "activations",
        mixinStandardHelpOptions = true,
        description = "Create, list and delete activations for registering agents.",
        subcommands = {
            ActivationsCommand.Create.class,
            ActivationsCommand.ListAll.class,
            ActivationsCommand.Delete.class
        })
final class ActivationsCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an activation.")
    static final class Create implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Option(names = "--registration-limit", defaultValue = "1", description = "How many hosts may use it.")
        int registrationLimit;

        @Option(names = "--expires-in", defaultValue = "P1D", description = "Lifetime (ISO-8601, at most P30D).")
        Duration expiresIn;

        @Option(names = "--default-instance-name", defaultValue = "", description = "Name given to the instances.")
        String defaultInstanceName;

        @Option(names = "--description", defaultValue = "", description = "Free text.")
        String description;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            ObjectNode request = client.json()
                    .createObjectNode()
                    .put("IamRole", "patchtide-agent")
                    .put("RegistrationLimit", registrationLimit)
                    .put("DefaultInstanceName", defaultInstanceName)
                    .put("Description", description)
                    .put("ExpirationDate", Instant.now().plus(expiresIn).getEpochSecond());
            JsonNode created = client.call("AmazonSSM.CreateActivation", request);
            PrintWriter out = spec.commandLine().getOut();
            out.println("ActivationId:   " + created.path("ActivationId").asText());
            out.println("ActivationCode: " + created.path("ActivationCode").asText());
            out.println();
            String endpoint = client.endpoint().toString().replaceAll("/$", "");
            String id = created.path("ActivationId").asText();
            String code = created.path("ActivationCode").asText();
            Optional<X509Certificate> ca = admin.profile().caCertificate();
            String pin = "";
            if (ca.isPresent()) {
                pin = " --ca-fingerprint " + Fingerprints.certificate(ca.get());
                String serverKey = Fingerprints.publicKeyPin(ServerCertificate.of(client.endpoint(), ca.get()));
                // -k: curl cannot know the private CA yet; the pinned server key is what it trusts instead.
                out.println("On the new host, as root (installs the agent package from this server, registers it):");
                out.println("  curl -fsS -k --pinnedpubkey 'sha256//" + serverKey + "' " + endpoint
                        + "/enroll.sh | sudo sh -s -- --activation-id " + id + " --activation-code " + code + pin);
                out.println();
                out.println("Or with the patchtide command on the new host:");
            } else {
                out.println("On the new host:");
            }
            out.println("  ./patchtide agent register --server " + endpoint + " --activation-id " + id
                    + " --activation-code " + code + pin);
            out.println("  ./patchtide agent run");
            out.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List activations.")
    static final class ListAll implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            Table table = new Table("ACTIVATION ID", "DESCRIPTION", "REGISTRATIONS", "EXPIRES", "EXPIRED");
            client.forEachItem(
                    "AmazonSSM.DescribeActivations",
                    Map.of(),
                    "ActivationList",
                    a -> table.add(
                            a.path("ActivationId").asText(),
                            a.path("Description").asText(),
                            a.path("RegistrationsCount").asInt() + "/"
                                    + a.path("RegistrationLimit").asInt(),
                            Instant.ofEpochMilli(new BigDecimal(
                                                    a.path("ExpirationDate").asText("0"))
                                            .movePointRight(3)
                                            .longValue())
                                    .toString(),
                            String.valueOf(a.path("Expired").asBoolean())));
            table.print(spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete an activation.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "ACTIVATION_ID")
        String activationId;

        @Override
        public Integer call() throws Exception {
            admin.client().call("AmazonSSM.DeleteActivation", Map.of("ActivationId", activationId));
            return 0;
        }
    }
}
