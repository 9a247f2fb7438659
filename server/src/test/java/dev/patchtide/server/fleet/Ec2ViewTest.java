package dev.patchtide.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.Tag;

/** EC2's describe and tag actions answered from real managed instances on a real server's database. */
class Ec2ViewTest {
    private final ObjectMapper json = new ObjectMapper();
    private final MutableClock clock = MutableClock.ofNow();
    private TestServer server;
    private Ec2View ec2;
    private FakeAgent web;
    private FakeAgent db;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(clock);
        ec2 = new Ec2View(server.database().jdbi(), PingStatusPolicy.defaults(), clock, json);
        SsmClient ssm = server.ssm();
        CreateActivationResponse activation =
                ssm.createActivation(b -> b.iamRole("agents").registrationLimit(5));
        web = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        db = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        ssm.addTagsToResource(b -> b.resourceType("ManagedInstance")
                .resourceId(web.instanceId())
                .tags(Tag.builder().key("Name").value("web-1").build(), tag("patch-policy", "patch-on-approval")));
        ssm.addTagsToResource(b ->
                b.resourceType("ManagedInstance").resourceId(db.instanceId()).tags(tag("Name", "db-1")));
        // db stops reporting: after the grace of two 5-minute heartbeats it is no longer Online.
        clock.advance(Duration.ofMinutes(11));
        web.report("web1", "10.0.0.1");
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void describeInstancesListsTheFleetWithStatesAndTags() throws Exception {
        JsonNode all = ec2.describeInstances(json.readTree("{}"));
        assertThat(ids(all)).containsExactlyInAnyOrder(web.instanceId(), db.instanceId());

        JsonNode running = ec2.describeInstances(
                json.readTree("{\"Filters\":[{\"Name\":\"instance-state-name\",\"Values\":[\"running\"]}]}"));
        assertThat(ids(running)).containsExactly(web.instanceId());
        JsonNode instance =
                running.path("Reservations").path(0).path("Instances").path(0);
        assertThat(instance.path("State").path("Name").asText()).isEqualTo("running");
        assertThat(instance.path("State").path("Code").asInt()).isEqualTo(16);
        assertThat(instance.path("PrivateIpAddress").asText()).isEqualTo("10.0.0.1");
        assertThat(instance.path("Tags").toString()).contains("\"Key\":\"Name\",\"Value\":\"web-1\"");

        JsonNode stopped = ec2.describeInstances(json.readTree("{\"InstanceIds\":[\"" + db.instanceId() + "\"]}"));
        assertThat(stopped.path("Reservations")
                        .path(0)
                        .path("Instances")
                        .path(0)
                        .path("State")
                        .path("Name")
                        .asText())
                .isEqualTo("stopped");

        JsonNode tagged = ec2.describeInstances(
                json.readTree("{\"Filters\":[{\"Name\":\"tag:patch-policy\",\"Values\":[\"patch-on-approval\"]}]}"));
        assertThat(ids(tagged)).containsExactly(web.instanceId());
        JsonNode none =
                ec2.describeInstances(json.readTree("{\"Filters\":[{\"Name\":\"tag-key\",\"Values\":[\"Owner\"]}]}"));
        assertThat(none.path("Reservations").size()).isZero();
    }

    @Test
    void describeTagsFiltersByResourceAndKey() throws Exception {
        JsonNode names = ec2.describeTags(json.readTree("{\"Filters\":[{\"Name\":\"resource-id\",\"Values\":[\""
                + web.instanceId() + "\",\"" + db.instanceId() + "\"]},{\"Name\":\"key\",\"Values\":[\"Name\"]}]}"));
        List<String> values = new ArrayList<>();
        names.path("Tags")
                .forEach(t -> values.add(
                        t.path("ResourceId").asText() + "=" + t.path("Value").asText()));
        assertThat(values).containsExactlyInAnyOrder(web.instanceId() + "=web-1", db.instanceId() + "=db-1");
        assertThat(names.path("Tags").path(0).path("ResourceType").asText()).isEqualTo("instance");
    }

    @Test
    void createTagsSetsTagsThatDescribeThenShows() throws Exception {
        ec2.createTags(json.readTree(
                "{\"Resources\":[\"" + db.instanceId() + "\"],\"Tags\":[{\"Key\":\"Owner\",\"Value\":\"dba\"}]}"));
        JsonNode owned =
                ec2.describeInstances(json.readTree("{\"Filters\":[{\"Name\":\"tag-key\",\"Values\":[\"Owner\"]}]}"));
        assertThat(ids(owned)).containsExactly(db.instanceId());
    }

    @Test
    void badRequestsAreRefusedNamingWhatIsWrongAndChangeNothing() throws Exception {
        assertThatThrownBy(() -> ec2.describeInstances(json.readTree("{\"InstanceIds\":[\"i-123\"]}")))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidInstanceID.Malformed"));
        assertThatThrownBy(() -> ec2.describeInstances(json.readTree("{\"InstanceIds\":[\"mi-0123456789abcdef0\"]}")))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidInstanceID.NotFound"));
        assertThatThrownBy(() -> ec2.describeInstances(
                        json.readTree("{\"Filters\":[{\"Name\":\"vpc-id\",\"Values\":[\"x\"]}]}")))
                .hasMessageContaining("vpc-id");
        String unknownAndKnown = "{\"Resources\":[\"" + db.instanceId()
                + "\",\"mi-0123456789abcdef0\"],\"Tags\":[{\"Key\":\"Owner\",\"Value\":\"dba\"}]}";
        assertThatThrownBy(() -> ec2.createTags(json.readTree(unknownAndKnown)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidInstanceID.NotFound"));
        JsonNode owned =
                ec2.describeInstances(json.readTree("{\"Filters\":[{\"Name\":\"tag-key\",\"Values\":[\"Owner\"]}]}"));
        assertThat(owned.path("Reservations").size()).isZero();
    }

    private static List<String> ids(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.path("Reservations").forEach(r -> r.path("Instances")
                .forEach(i -> ids.add(i.path("InstanceId").asText())));
        return ids;
    }
}
