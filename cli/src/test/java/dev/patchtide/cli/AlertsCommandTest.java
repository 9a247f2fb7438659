package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code patchtide alerts enable|disable|list} against a real server; the rules they make are EventBridge's. */
class AlertsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        Files.writeString(
                dataDir.resolve("aws-config"),
                "[profile patchtide]\nregion = us-east-1\nendpoint_url = " + server.endpoint() + "\n");
        Files.writeString(
                dataDir.resolve("aws-credentials"),
                "[patchtide]\naws_access_key_id = " + server.adminKey().accessKeyId() + "\naws_secret_access_key = "
                        + server.adminKey().secretAccessKey() + "\n");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void enableListAndDisableTheBuiltInAlerts() throws Exception {
        assertThat(cli("topics", "create", "ops").exit()).isZero();
        String topic = "arn:aws:sns:us-east-1:123456789012:ops";

        InProcessCli.Run reboot = cli("alerts", "enable", "reboot-pending", "--topic", "ops", "--remind-after", "P3D");
        assertThat(reboot.err()).isEmpty();
        assertThat(reboot.out())
                .isEqualTo("reboot-pending alert on: rule patchtide-reboot-pending -> " + topic
                        + " (reminds after PT72H)");
        assertThat(cli("alerts", "enable", "compliance", "--topic", topic).out())
                .isEqualTo("compliance alert on: rule patchtide-compliance -> " + topic);

        InProcessCli.Run listed = cli("alerts", "list");
        assertThat(listed.out().lines().toList())
                .hasSize(4)
                .anySatisfy(l -> assertThat(l).matches("compliance +on +patchtide-compliance +" + topic + " +-"))
                .anySatisfy(l ->
                        assertThat(l).matches("reboot-pending +on +patchtide-reboot-pending +" + topic + " +PT72H"))
                .anySatisfy(l -> assertThat(l).matches("connection-lost +off +patchtide-connection-lost +- +-"));

        // Ordinary rules: the topic target carries the reboot alert's dedupe policy.
        JsonNode targets = server.adminClient()
                .call("AWSEvents.ListTargetsByRule", Map.of("Rule", "patchtide-reboot-pending"))
                .path("Targets");
        assertThat(targets).hasSize(1);
        assertThat(targets.get(0).path("Arn").asText()).isEqualTo(topic);
        assertThat(JSON.readTree(targets.get(0).path("DedupePolicy").asText()))
                .isEqualTo(JSON.readTree("{\"KeyPath\":\"$.detail.instance-id\","
                        + "\"ConditionPath\":\"$.detail.reboot-pending\",\"RemindAfter\":\"PT72H\"}"));

        InProcessCli.Run unknownTopic = cli("alerts", "enable", "connection-lost", "--topic", "nope");
        assertThat(unknownTopic.exit()).isNotZero();
        assertThat(unknownTopic.err()).isEqualTo("error: no topic named nope; see 'patchtide topics list'");
        InProcessCli.Run badRemind = cli("alerts", "enable", "compliance", "--topic", "ops", "--remind-after", "P1D");
        assertThat(badRemind.exit()).isNotZero();
        assertThat(badRemind.err()).contains("RemindAfter applies to the reboot-pending alert only");

        assertThat(cli("alerts", "disable", "compliance").out()).isEqualTo("compliance alert off");
        assertThat(cli("alerts", "list").out()).containsPattern("compliance +off");
        JsonNode rules = server.adminClient().call("AWSEvents.ListRules", Map.of("NamePrefix", "patchtide-"));
        assertThat(rules.path("Rules").findValuesAsText("Name")).containsExactly("patchtide-reboot-pending");
    }

    private InProcessCli.Run cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dataDir.toString();
        return InProcessCli.run(all);
    }
}
