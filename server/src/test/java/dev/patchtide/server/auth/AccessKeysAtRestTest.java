package dev.patchtide.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/** A dump of the access_keys table reveals no usable key: every secret is sealed under the server key. */
class AccessKeysAtRestTest {

    @Test
    void noSecretOfAnAdminOrInstanceKeyIsInTheTableAndTheKeysStillWork() throws Exception {
        try (TestServer server = TestServer.start(MutableClock.ofNow())) {
            CreateActivationResponse activation = server.ssm().createActivation(b -> b.iamRole("fleet-role"));
            FakeAgent agent =
                    FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
            List<String> secrets = List.of(server.adminKey().secretAccessKey(), agent.secretAccessKey());

            String dump = server.database().jdbi().withHandle(h -> h.createQuery(
                            "SELECT string_agg(t::text, '\n') FROM access_keys t")
                    .mapTo(String.class)
                    .one());
            assertThat(dump)
                    .contains(server.adminKey().accessKeyId())
                    .contains(agent.accessKeyId())
                    .contains("v1:");
            for (String secret : secrets) {
                assertThat(dump)
                        .doesNotContain(secret)
                        .doesNotContain(Base64.getEncoder().encodeToString(secret.getBytes()));
            }

            // Both keys still sign: the admin's SDK call and the instance's report are accepted.
            assertThat(server.ssm().describeInstanceInformation(b -> {}).instanceInformationList())
                    .hasSize(1);
            agent.report("web-1", "10.0.0.1");
        }
    }
}
