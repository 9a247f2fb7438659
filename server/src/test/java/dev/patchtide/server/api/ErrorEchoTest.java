package dev.patchtide.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Errors name the member and quote at most a short prefix of the value; never a Java type, never megabytes. */
class ErrorEchoTest {
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
    void aFifteenMegabyteTagValueGetsAShortErrorNamingTheMember() throws Exception {
        String huge = "a".repeat(15 * 1024 * 1024);
        RawApi.Answer answer = api.call(
                "AmazonSSM.AddTagsToResource",
                "{\"ResourceType\": \"ManagedInstance\", \"ResourceId\": \"mi-0123456789abcdef0\","
                        + " \"Tags\": [{\"Key\": \"k\", \"Value\": \"" + huge + "\"}]}");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.raw().length).isLessThan(2048);
        assertThat(answer.type()).isEqualTo("ValidationException");
        assertThat(answer.message())
                .contains("at 'tags.1.member.value'")
                .contains("Member must have length less than or equal to 256")
                .contains("aaaa...(" + huge.length() + " characters)");
    }

    @Test
    void aValueOfTheWrongTypeNamesTheMemberNotAJavaType() throws Exception {
        assertClean(
                api.call("AmazonSSM.DescribeActivations", "{\"MaxResults\": \"ten\"}"),
                "'maxResults' must be a number");
        assertClean(api.call("AmazonSSM.DescribeActivations", "{\"Filters\": {\"a\": 1}}"), "'filters' must be a list");
        assertClean(
                api.call(
                        "AmazonSSM.AddTagsToResource",
                        "{\"ResourceType\": \"ManagedInstance\", \"ResourceId\": \"mi-0123456789abcdef0\","
                                + " \"Tags\": [{\"Key\": [\"k\"], \"Value\": \"v\"}]}"),
                "'tags.1.member.key' must be a string");
        assertClean(
                api.call("AmazonSSM.DescribeInstanceInformation", "{\"InstanceInformationFilterList\": [\"x\"]}"),
                "'instanceInformationFilterList.1.member' must be a structure");
    }

    @Test
    void aBodyThatIsNotAnObjectIsRefusedPlainly() throws Exception {
        assertClean(api.call("AmazonSSM.DescribeActivations", "[1, 2]"), "must be a JSON object");
        assertClean(api.call("AmazonSSM.DescribeActivations", "{} {}"), "one JSON object");
    }

    @Test
    void hugeNamesAndTokensAreNotEchoedWhole() throws Exception {
        String longName = "Z".repeat(40_000);
        RawApi.Answer unknown = api.call("AmazonSSM.DescribeActivations", "{\"" + longName + "\": 1}");
        assertThat(unknown.type()).isEqualTo("SerializationException");
        assertThat(unknown.raw().length).isLessThan(2048);
        assertThat(unknown.message()).contains("Unknown member 'ZZZZ");

        RawApi.Answer malformed = api.call("AmazonSSM.DescribeActivations", "{\"MaxResults\": " + longName + "}");
        assertThat(malformed.type()).isEqualTo("SerializationException");
        assertThat(malformed.raw().length).isLessThan(2048);

        String hugeName = "Z".repeat(1024 * 1024);
        RawApi.Answer beyondNames = api.call("AmazonSSM.DescribeActivations", "{\"" + hugeName + "\": 1}");
        assertClean(beyondNames, "longest member name");
    }

    @Test
    void deepNestingIsRefusedBeforeBinding() throws Exception {
        String deep = "[".repeat(500) + "]".repeat(500);
        RawApi.Answer answer = api.call("AmazonSSM.DescribeActivations", "{\"Filters\": " + deep + "}");
        assertThat(answer.status()).isEqualTo(400);
        assertClean(answer, "nesting depth of 64 levels");
    }

    private static void assertClean(RawApi.Answer answer, String expected) {
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.type()).isEqualTo("SerializationException");
        assertThat(answer.message())
                .contains(expected)
                .doesNotContain("dev.patchtide", "java.", "$", "Cannot deserialize", "`");
    }
}
