package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/**
 * Versions are the agent's words, kept as text: one dpkg only warns about is stored and judged, and one
 * that cannot be text on the wire is a validation error naming its member, never a server error.
 */
class OddVersionScanTest {
    TestServer server;
    FakeAgent agent;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        CreateActivationResponse activation = server.ssm().createActivation(b -> b.iamRole("r"));
        agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void versionsDpkgOnlyWarnsAboutAreStoredAndJudged() throws Exception {
        var answer = new ScanReport()
                .installed("legacy", "a-0")
                .update("odd", "~abc", "Z0z", true, "Required")
                .send(agent);
        assertThat(answer.path("ComplianceStatus").asText()).isEqualTo("NON_COMPLIANT");
        assertThat(server.ssm()
                        .describeInstancePatches(b -> b.instanceId(agent.instanceId()))
                        .patches())
                .extracting(p -> p.title() + " " + p.stateAsString())
                .contains("odd MISSING");
    }

    @Test
    void aVersionThatIsNoSingleLineIsANamedValidationError() {
        assertThatThrownBy(() -> new ScanReport().installed("bad", "1.0\t2").send(agent))
                .hasMessageContaining("ValidationException")
                .hasMessageContaining("inventory.1.member")
                .hasMessageContaining("version must not contain tabs");
        int stored = server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM instance_patch_states WHERE instance_id = :id")
                .bind("id", agent.instanceId())
                .mapTo(Integer.class)
                .one());
        assertThat(stored).isZero();
    }
}
