package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.api.ApiException;
import org.junit.jupiter.api.Test;

/** Every operator event-ruler supports, through the server's own matching path. */
class PatternOperatorsTest {
    static final String EVENT =
            """
            {"version":"0","id":"e1","detail-type":"Configuration Compliance State Change","source":"aws.ssm",
             "account":"123456789012","time":"2026-05-01T18:48:11Z","region":"us-east-1",
             "resources":["arn:aws:ssm:us-east-1:123456789012:managed-instance/mi-0123456789abcdef0"],
             "detail":{"compliance-status":"non_compliant","severity":"CRITICAL","missing":7,
                       "ip":"10.0.3.17","host":"web-01.prod.example.com","owner":"Ops-Team",
                       "patches":[{"id":"KB1","state":"Missing"},{"id":"KB2","state":"Installed"}]}}
            """;

    static boolean matches(String pattern) {
        return RuleMatcher.of(java.util.Map.of("p", pattern)).match(EVENT).contains("p");
    }

    @Test
    void exactValuesAndArrays() {
        assertThat(matches("{\"source\":[\"aws.ssm\"]}")).isTrue();
        assertThat(matches("{\"source\":[\"aws.ec2\",\"aws.ssm\"]}")).isTrue();
        assertThat(matches("{\"source\":[\"aws.ec2\"]}")).isFalse();
        assertThat(matches("{\"detail\":{\"missing\":[7]}}")).isTrue();
    }

    @Test
    void prefixAndSuffix() {
        assertThat(matches("{\"detail\":{\"host\":[{\"prefix\":\"web-\"}]}}")).isTrue();
        assertThat(matches("{\"detail\":{\"host\":[{\"prefix\":\"db-\"}]}}")).isFalse();
        assertThat(matches("{\"detail\":{\"host\":[{\"suffix\":\".example.com\"}]}}"))
                .isTrue();
        assertThat(matches("{\"detail\":{\"host\":[{\"suffix\":\".example.org\"}]}}"))
                .isFalse();
        assertThat(matches("{\"detail\":{\"owner\":[{\"prefix\":{\"equals-ignore-case\":\"ops-\"}}]}}"))
                .isTrue();
    }

    @Test
    void anythingBut() {
        assertThat(matches("{\"detail\":{\"severity\":[{\"anything-but\":\"LOW\"}]}}"))
                .isTrue();
        assertThat(matches("{\"detail\":{\"severity\":[{\"anything-but\":[\"CRITICAL\",\"HIGH\"]}]}}"))
                .isFalse();
        assertThat(matches("{\"detail\":{\"host\":[{\"anything-but\":{\"prefix\":\"web-\"}}]}}"))
                .isFalse();
    }

    @Test
    void numeric() {
        assertThat(matches("{\"detail\":{\"missing\":[{\"numeric\":[\">\",5,\"<=\",7]}]}}"))
                .isTrue();
        assertThat(matches("{\"detail\":{\"missing\":[{\"numeric\":[\">\",7]}]}}"))
                .isFalse();
        assertThat(matches("{\"detail\":{\"missing\":[{\"numeric\":[\"=\",7]}]}}"))
                .isTrue();
    }

    @Test
    void cidr() {
        assertThat(matches("{\"detail\":{\"ip\":[{\"cidr\":\"10.0.0.0/16\"}]}}"))
                .isTrue();
        assertThat(matches("{\"detail\":{\"ip\":[{\"cidr\":\"192.168.0.0/16\"}]}}"))
                .isFalse();
    }

    @Test
    void exists() {
        assertThat(matches("{\"detail\":{\"severity\":[{\"exists\":true}]}}")).isTrue();
        assertThat(matches("{\"detail\":{\"reboot\":[{\"exists\":true}]}}")).isFalse();
        assertThat(matches("{\"detail\":{\"reboot\":[{\"exists\":false}]}}")).isTrue();
    }

    @Test
    void equalsIgnoreCaseAndWildcard() {
        assertThat(matches("{\"detail\":{\"owner\":[{\"equals-ignore-case\":\"ops-team\"}]}}"))
                .isTrue();
        assertThat(matches("{\"detail\":{\"owner\":[\"ops-team\"]}}")).isFalse();
        assertThat(matches("{\"detail\":{\"host\":[{\"wildcard\":\"web-*.prod.*\"}]}}"))
                .isTrue();
        assertThat(matches("{\"detail\":{\"host\":[{\"wildcard\":\"db-*\"}]}}")).isFalse();
    }

    @Test
    void orAndArraysOfObjects() {
        assertThat(matches("{\"$or\":[{\"source\":[\"aws.ec2\"]},{\"detail\":{\"severity\":[\"CRITICAL\"]}}]}"))
                .isTrue();
        assertThat(matches("{\"$or\":[{\"source\":[\"aws.ec2\"]},{\"detail\":{\"severity\":[\"LOW\"]}}]}"))
                .isFalse();
        // Array consistency: id and state must come from the same element.
        assertThat(matches("{\"detail\":{\"patches\":{\"id\":[\"KB1\"],\"state\":[\"Missing\"]}}}"))
                .isTrue();
        assertThat(matches("{\"detail\":{\"patches\":{\"id\":[\"KB1\"],\"state\":[\"Installed\"]}}}"))
                .isFalse();
    }

    @Test
    void invalidPatternsAreReportedAsAwsDoes() {
        for (String bad : new String[] {
            "{\"source\":\"aws.ssm\"}",
            "{\"detail\":{\"missing\":[{\"numeric\":[\">\"]}]}}",
            "{\"detail\":{\"ip\":[{\"cidr\":\"not-a-cidr\"}]}}",
            "{\"detail\":{\"x\":[{\"unknown-op\":1}]}}",
            "[]",
            "{}",
            "{\"source\":["
        }) {
            assertThatThrownBy(() -> EventPatterns.check(bad))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidEventPatternException"))
                    .hasMessageStartingWith("Event pattern is not valid. Reason: ");
        }
    }
}
