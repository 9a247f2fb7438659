package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.commands.CommandSpec.NotificationConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which status changes a NotificationConfig announces, and to which of its two types. */
class NotificationEventsTest {
    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:tasks";

    @Test
    void allStandsForTheFiveNotificationEventsOnly() {
        NotificationConfig all = new NotificationConfig(TOPIC, List.of("All"), "Command");
        for (String status : List.of("InProgress", "Success", "TimedOut", "Cancelled", "Failed")) {
            assertThat(CommandNotifications.announces(all, "Command", status))
                    .as(status)
                    .isTrue();
        }
        for (String status : List.of("Pending", "Delayed", "Cancelling", "All")) {
            assertThat(CommandNotifications.announces(all, "Command", status))
                    .as(status)
                    .isFalse();
        }
    }

    @Test
    void listedEventsAndTheTypeChoose() {
        NotificationConfig outcomes = new NotificationConfig(TOPIC, List.of("Success", "Failed"), "Invocation");
        assertThat(CommandNotifications.announces(outcomes, "Invocation", "Failed"))
                .isTrue();
        assertThat(CommandNotifications.announces(outcomes, "Invocation", "Success"))
                .isTrue();
        assertThat(CommandNotifications.announces(outcomes, "Invocation", "TimedOut"))
                .isFalse();
        assertThat(CommandNotifications.announces(outcomes, "Invocation", "InProgress"))
                .isFalse();
        assertThat(CommandNotifications.announces(outcomes, "Command", "Failed"))
                .isFalse();
    }

    @Test
    void withoutEventsAllAreAnnouncedWithoutTypePerCommandWithoutTopicNothing() {
        NotificationConfig bare = new NotificationConfig(TOPIC, null, null);
        assertThat(CommandNotifications.announces(bare, "Command", "Cancelled")).isTrue();
        assertThat(CommandNotifications.announces(bare, "Invocation", "Cancelled"))
                .isFalse();
        assertThat(CommandNotifications.announces(new NotificationConfig(TOPIC, List.of(), ""), "Command", "Success"))
                .isTrue();
        assertThat(CommandNotifications.announces(
                        new NotificationConfig("", List.of("All"), "Command"), "Command", "Success"))
                .isFalse();
        assertThat(CommandNotifications.announces(
                        new NotificationConfig(null, List.of("All"), "Command"), "Command", "Success"))
                .isFalse();
    }
}
