package dev.patchtide.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A valid key and signature scoped to another service is refused, as AWS refuses it; the right service works. */
class SigningScopeTest {
    static TestServer server;
    static RawApi api;

    @BeforeAll
    static void start() {
        server = TestServer.start(MutableClock.ofNow());
        api = new RawApi(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anSsmActionSignedForS3OrEventsIsRefused() throws Exception {
        for (String wrong : new String[] {"s3", "events", "states", "sns"}) {
            RawApi.Answer answer = api.call("AmazonSSM.DescribeActivations", "{}", wrong);
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.type()).isEqualTo("InvalidSignatureException");
            assertThat(answer.message()).isEqualTo("Credential should be scoped to correct service: 'ssm'. ");
        }
    }

    @Test
    void anEventsActionSignedForSsmIsRefused() throws Exception {
        RawApi.Answer answer = api.call("AWSEvents.ListConnections", "{}", "ssm");
        assertThat(answer.type()).isEqualTo("InvalidSignatureException");
        assertThat(answer.message()).isEqualTo("Credential should be scoped to correct service: 'events'. ");
    }

    @Test
    void patchtideActionsAreSignedAsSsmAsTheAgentAndCliSignThem() throws Exception {
        RawApi.Answer refused = api.call("Patchtide.ListTopics", "{}", "s3");
        assertThat(refused.type()).isEqualTo("InvalidSignatureException");
        assertThat(refused.message()).contains("'ssm'");

        // The agent's own client, which the CLI uses too.
        assertThat(server.adminClient().call("Patchtide.ListTopics", Map.of())).isNotNull();
    }

    @Test
    void theRightServiceWorks() throws Exception {
        assertThat(api.call("AmazonSSM.DescribeActivations", "{}", "ssm").status())
                .isEqualTo(200);
        assertThat(api.call("AWSEvents.ListConnections", "{}", "events").status())
                .isEqualTo(200);
        // The AWS SDK signs with the service's own signing name.
        assertThat(server.ssm().describeActivations(b -> {}).activationList()).isNotNull();
    }
}
