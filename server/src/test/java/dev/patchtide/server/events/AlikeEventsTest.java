package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A template's spliced text is, byte for byte, the text of the same event built on its own. */
class AlikeEventsTest {
    private static final Instant AT = Instant.parse("2026-12-03T13:30:07.456Z");
    private static final String ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

    private static EventEnvelope.Builder invocation(String instanceId) {
        EventEnvelope.Builder event = EventEnvelope.builder(
                        "aws.ssm", "EC2 Command Invocation Status-change Notification")
                .resource("arn:aws:ssm:us-east-1:123456789012:managed-instance/" + instanceId);
        event.detail()
                .put("command-id", "5b2f6f7e-1f51-4b0c-9a55-2a9c2a3f0b11")
                .put("document-name", "AWS-RunShellScript")
                .put("instance-id", instanceId)
                .put("requested-date-time", "2026-12-03T13:30:07.120Z")
                .put("status", "InProgress");
        return event;
    }

    private static String alone(String instanceId) {
        return TargetInput.text(invocation(instanceId)
                .id(ID)
                .build("123456789012", "us-east-1", AT)
                .toJson());
    }

    @Test
    void splicedTextEqualsTheEventBuiltAlone() {
        AlikeEvents template = new AlikeEvents(invocation(AlikeEvents.VALUE), "123456789012", "us-east-1", AT);
        for (String instance : new String[] {"mi-0123456789abcdef0", "i-0fedcba9876543210"}) {
            assertThat(template.text(ID, instance)).isEqualTo(alone(instance));
        }
        assertThat(template.time()).isEqualTo(Instant.parse("2026-12-03T13:30:07Z"));
    }

    @Test
    void aValueNeedingEscapesIsEscapedAsTheGeneratorWouldAndParses() {
        AlikeEvents template = new AlikeEvents(invocation(AlikeEvents.VALUE), "123456789012", "us-east-1", AT);
        String odd = "a\"quote\\and\ttab";
        assertThat(template.text(ID, odd)).isEqualTo(alone(odd));
        assertThat(AlikeEvents.tree(template.text(ID, odd))
                        .path("detail")
                        .path("instance-id")
                        .asText())
                .isEqualTo(odd);
    }
}
