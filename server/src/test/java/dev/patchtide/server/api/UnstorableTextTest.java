package dev.patchtide.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Text PostgreSQL cannot store (NUL, a lone UTF-16 half), in any member at any depth, in any action: a
 * ValidationException naming the member, from the one check in the router's binding, never a 500 from the
 * database. (The JSON escapes below reach the server as the characters themselves.)
 */
class UnstorableTextTest {
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
    void nulInATopLevelMemberOfAnSsmAction() throws Exception {
        assertRefused(api.call("AmazonSSM.CreateActivation", "{\"IamRole\": \"role\\u0000x\"}"), "iamRole");
    }

    @Test
    void nulInAListItemsMember() throws Exception {
        assertRefused(
                api.call(
                        "AmazonSSM.AddTagsToResource",
                        "{\"ResourceType\": \"ManagedInstance\", \"ResourceId\": \"mi-0123456789abcdef0\","
                                + " \"Tags\": [{\"Key\": \"a\", \"Value\": \"b\"}, {\"Key\": \"k\", \"Value\": \"v\\u0000\"}]}"),
                "tags.2.member.value");
    }

    @Test
    void nulInAnItemOfAListOfStringsInAnEventsAction() throws Exception {
        assertRefused(
                api.call(
                        "AWSEvents.PutEvents",
                        "{\"Entries\": [{\"Source\": \"s\", \"DetailType\": \"d\", \"Detail\": \"{}\","
                                + " \"Resources\": [\"arn:aws:x\", \"arn\\u0000\"]}]}"),
                "entries.1.member.resources.2.member");
    }

    @Test
    void nulInAStringThatHoldsJson() throws Exception {
        assertRefused(
                api.call(
                        "AWSEvents.PutRule",
                        "{\"Name\": \"r\", \"EventPattern\": \"{\\\"source\\\": [\\\"a\\u0000\\\"]}\"}"),
                "eventPattern");
    }

    @Test
    void nulInAMapKeyNamesTheMap() throws Exception {
        assertRefused(
                api.call("Patchtide.CreateTopic", "{\"Name\": \"t\", \"Attributes\": {\"Display\\u0000Name\": \"x\"}}"),
                "attributes.(key)");
    }

    @Test
    void aLoneSurrogateIsRefusedToo() throws Exception {
        assertRefused(api.call("Patchtide.CreateTopic", "{\"Name\": \"t\\ud800\"}"), "name");
    }

    @Test
    void nulInAnActionOpenToUnsignedCallers() throws Exception {
        assertRefused(
                api.unsigned(
                        "Patchtide.RegisterManagedInstance",
                        "{\"ActivationId\": \"a\\u0000\", \"ActivationCode\": \"c\"}"),
                "activationId");
    }

    @Test
    void nulInTheDashboardLogin() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.endpoint() + "/dashboard/login"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"AccessKeyId\": \"AK\\u0000\", \"SecretAccessKey\": \"s\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(400);
        JsonNode error = ApiJson.documents().readTree(answer.body());
        assertThat(error.path("__type").asText()).isEqualTo("ValidationException");
        assertThat(error.path("message").asText()).contains("'accessKeyId'");
    }

    @Test
    void theSameRequestWithoutTheNulIsAccepted() throws Exception {
        RawApi.Answer answer = api.call("AmazonSSM.CreateActivation", "{\"IamRole\": \"role\"}");
        assertThat(answer.status())
                .as(new String(answer.raw(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(200);
    }

    private static void assertRefused(RawApi.Answer answer, String member) {
        assertThat(answer.status())
                .as(new String(answer.raw(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(400);
        assertThat(answer.type()).isEqualTo("ValidationException");
        assertThat(answer.message())
                .isEqualTo("1 validation error detected: Value at '" + member
                        + "' failed to satisfy constraint: Member must not contain the NUL character or unpaired"
                        + " surrogate code units");
    }
}
