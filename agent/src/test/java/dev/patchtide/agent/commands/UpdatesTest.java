package dev.patchtide.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.AgentJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpdatesTest {
    @TempDir
    Path dir;

    @Test
    void fittingCutsOnlyTheLongestTextsToOneLength() {
        List<String> fitted = Updates.fit(List.of("a".repeat(100), "b".repeat(10), "c".repeat(50)), 70);

        assertThat(fitted.get(0)).startsWith("a".repeat(30) + "\n[patchtide: output cut to 30 characters");
        assertThat(fitted.get(1)).isEqualTo("b".repeat(10));
        assertThat(fitted.get(2)).startsWith("c".repeat(30) + "\n[patchtide: output cut to 30 characters");
        assertThat(Updates.fit(List.of("x", "y"), 2)).containsExactly("x", "y");
    }

    @Test
    void aResultWithHugeOutputsStillFitsTheServersRequestLimit() throws Exception {
        Journal journal = new Journal(dir, 10, Duration.ofDays(1));
        Invocation invocation = new Invocation("c-huge", "mi-0123456789abcdef0", "D", "1", null, null, 60, null);
        Instant now = Instant.parse("2026-12-02T08:00:00Z");
        journal.create(JournalEntry.running(invocation, now));
        for (int step = 0; step < 2; step++) {
            int index = step;
            journal.update(
                    "c-huge",
                    e -> e.withStep(
                            index,
                            StepRecord.started("s" + index, "aws:runShellScript", now)
                                    .ended("Success", 0, now)));
            Files.writeString(journal.stdout("c-huge", step), "o".repeat(8 * 1024 * 1024));
            Files.writeString(journal.stderr("c-huge", step), "e".repeat(8 * 1024 * 1024));
        }
        JournalEntry entry = journal.update("c-huge", e -> e.finished(JournalEntry.Outcome.of("Success", 0, now)));

        byte[] body = Updates.result(entry, journal, CommandRunner.Settings.OUTPUT_CAP);

        assertThat((long) body.length).isLessThanOrEqualTo(Updates.BODY_LIMIT);
        JsonNode json = AgentJson.mapper().readTree(body);
        assertThat(json.path("Plugins")).hasSize(2);
        assertThat((long) json.path("StandardOutputContent").asText().length())
                .isLessThanOrEqualTo(CommandRunner.Settings.OUTPUT_CAP + 1024);
        assertThat(json.path("Plugins").get(1).path("StandardErrorContent").asText())
                .startsWith("eee")
                .contains("[patchtide: output cut to");
    }

    @Test
    void aJournalDirectoryWithoutItsEntryIsDroppedAtStart() throws Exception {
        Files.createDirectories(dir.resolve("c-half"));
        Files.writeString(dir.resolve("c-half/0.stdout"), "x");

        Journal journal = new Journal(dir, 10, Duration.ofDays(1));

        assertThat(journal.all()).isEmpty();
        assertThat(dir.resolve("c-half")).doesNotExist();
    }
}
