package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/** The patch group kept on the instance row follows its tags, whichever way they change. */
class InstancePatchGroupTest {
    TestServer server;
    SsmClient ssm;

    @BeforeEach
    void start() {
        server = TestServer.start(MutableClock.ofNow());
        ssm = server.ssm();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void patchGroupTagWinsOverPatchGroupAndRemovalFallsBack() throws Exception {
        CreateActivationResponse activation = ssm.createActivation(b -> b.iamRole("r")
                .registrationLimit(1)
                .tags(Tag.builder().key("PatchGroup").value("inherited").build()));
        FakeAgent agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        String id = agent.instanceId();
        assertThat(group(id)).as("inherited from the activation").isEqualTo("inherited");

        tag(id, "Patch Group", "web-prod");
        assertThat(group(id)).isEqualTo("web-prod");
        tag(id, "PatchGroup", "other");
        assertThat(group(id)).as("'Patch Group' wins").isEqualTo("web-prod");

        untag(id, "Patch Group");
        assertThat(group(id)).isEqualTo("other");
        untag(id, "PatchGroup");
        assertThat(group(id)).isEmpty();
    }

    private void tag(String id, String key, String value) {
        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(id)
                .tags(Tag.builder().key(key).value(value).build()));
    }

    private void untag(String id, String key) {
        ssm.removeTagsFromResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(id)
                .tagKeys(key));
    }

    private String group(String id) {
        return server.database().jdbi().withHandle(h -> PatchEvaluation.patchGroup(h, id));
    }
}
