package dev.patchtide.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.JsonCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalJsonTest {
    /**
     * An entry as the agent's Jackson mapper wrote it before this codec (taken from the mapper's own output of the
     * records): an agent upgraded while a command waits for its reboot reads it and writes it back the same.
     */
    static final String MAPPER_ENTRY =
            "{\"Invocation\":{\"CommandId\":\"c-0123\",\"InstanceId\":\"mi-0123456789abcdef0\","
                    + "\"DocumentName\":\"AWS-RunPatchBaseline\",\"DocumentVersion\":\"1\","
                    + "\"Parameters\":{\"Operation\":[\"Install\"],\"n\":3,\"f\":1.5,\"big\":12345678901,\"none\":null},"
                    + "\"Plan\":{\"Steps\":[{\"Name\":\"PatchLinux\",\"Action\":\"patchtide:runPatchBaseline\","
                    + "\"Inputs\":{\"Operation\":\"Install\",\"Flag\":true}}]},"
                    + "\"ExecutionTimeoutSeconds\":600,\"RequestedDateTime\":1764756000.123456789},"
                    + "\"State\":\"AWAITING_REBOOT\",\"Started\":1764756001.000000000,"
                    + "\"Steps\":[{\"Name\":\"PatchLinux\",\"Action\":\"patchtide:runPatchBaseline\",\"Status\":\"InProgress\","
                    + "\"ResponseCode\":-1,\"Start\":1764756001.000000001}],"
                    + "\"RebootStep\":0,\"Reboots\":1,\"InProgressSent\":true,\"ResultSent\":false}";

    static final String MAPPER_FINISHED = "{\"Invocation\":{\"CommandId\":\"c-gone\",\"InstanceId\":\"mi-1\"},"
            + "\"State\":\"FINISHED\",\"Started\":1764756000.500000000,\"Steps\":[],\"RebootStep\":-1,\"Reboots\":0,"
            + "\"Outcome\":{\"Status\":\"Cancelled\",\"StatusDetails\":\"Cancelled\",\"ResponseCode\":-1,"
            + "\"End\":1764756002.250000000},\"InProgressSent\":true,\"ResultSent\":true}";

    @Test
    void anEntryTheMapperWroteReadsBackWholeAndIsWrittenByteForByteTheSame() throws IOException {
        JournalEntry entry = JournalJson.read(MAPPER_ENTRY.getBytes(StandardCharsets.UTF_8));

        assertThat(entry.commandId()).isEqualTo("c-0123");
        assertThat(entry.state()).isEqualTo(JournalEntry.State.AWAITING_REBOOT);
        assertThat(entry.started()).isEqualTo(Instant.ofEpochSecond(1764756001L));
        assertThat(entry.invocation().requestedDateTime()).isEqualTo(Instant.ofEpochSecond(1764756000L, 123456789));
        assertThat(entry.invocation().executionTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(entry.invocation().steps().get(0).path("Inputs").path("Flag").booleanValue())
                .isTrue();
        assertThat(entry.steps()).singleElement().satisfies(s -> {
            assertThat(s.start()).isEqualTo(Instant.ofEpochSecond(1764756001L, 1));
            assertThat(s.end()).isNull();
            assertThat(s.finished()).isFalse();
            assertThat(s.responseCode()).isEqualTo(-1);
        });
        assertThat(entry.rebootStep()).isZero();
        assertThat(entry.reboots()).isEqualTo(1);
        assertThat(entry.outcome()).isNull();
        assertThat(entry.inProgressSent()).isTrue();
        assertThat(entry.resultSent()).isFalse();
        assertThat(new String(JournalJson.write(entry), StandardCharsets.UTF_8)).isEqualTo(MAPPER_ENTRY);

        JournalEntry finished = JournalJson.read(MAPPER_FINISHED.getBytes(StandardCharsets.UTF_8));
        assertThat(finished.outcome().end()).isEqualTo(Instant.ofEpochSecond(1764756002L, 250_000_000));
        assertThat(finished.invocation().plan()).isNull();
        assertThat(new String(JournalJson.write(finished), StandardCharsets.UTF_8))
                .isEqualTo(MAPPER_FINISHED);
    }

    @Test
    void anOlderAgentsEntryInAnyOrderWithoutNewerMembersReadsAsTheMapperReadIt() throws IOException {
        // members shuffled, an unknown one, no InProgressSent (an older agent owed InProgress), ISO text instants
        String older = "{\"Unknown\":{\"x\":[1,2]},\"Started\":\"2026-12-03T10:00:00Z\",\"State\":\"RUNNING\","
                + "\"Invocation\":{\"InstanceId\":\"mi-1\",\"CommandId\":\"c-old\",\"ExecutionTimeoutSeconds\":\"90\"},"
                + "\"Steps\":[{\"Start\":1764756000,\"Name\":\"s\",\"ResponseCode\":\"0\"}]}";

        JournalEntry entry = JournalJson.read(older.getBytes(StandardCharsets.UTF_8));

        assertThat(entry.started()).isEqualTo(Instant.parse("2026-12-03T10:00:00Z"));
        assertThat(entry.invocation().executionTimeoutSeconds()).isEqualTo(90);
        assertThat(entry.steps().get(0).start()).isEqualTo(Instant.ofEpochSecond(1764756000L));
        assertThat(entry.inProgressSent()).isFalse();
        assertThat(entry.unsent()).isTrue();
    }

    @Test
    void aBrokenEntryIsRefusedNamingTheMember() {
        assertThatThrownBy(() -> read(MAPPER_ENTRY.replace("\"ResponseCode\":-1", "\"ResponseCode\":\"x\"")))
                .isInstanceOf(IOException.class)
                .hasMessage("Steps.ResponseCode: not a whole number of the int range");
        assertThatThrownBy(() -> read(MAPPER_ENTRY.replace("\"AWAITING_REBOOT\"", "\"SLEEPING\"")))
                .hasMessage("State: not a state the agent knows");
        assertThatThrownBy(() -> read(MAPPER_ENTRY.replace("\"Started\":1764756001.000000000", "\"Started\":[]")))
                .hasMessage("Started: not a time");
        assertThatThrownBy(() -> read("{\"State\":\"RUNNING\",\"Started\":1}"))
                .hasMessage("the entry lacks Invocation, State or Started");
        assertThatThrownBy(() -> read("[]")).hasMessage("the entry: not a JSON object");
        assertThatThrownBy(() -> read("{\"Invocation\":{\"CommandId\":")).isInstanceOf(IOException.class);
    }

    @Test
    void anInvocationFromThePollIsReadFromItsTreeAndABadOneIsRefused() throws IOException {
        JsonNode item = JsonCodec.readTree(
                ("{\"CommandId\":\"c-1\",\"InstanceId\":\"mi-1\",\"DocumentName\":\"AWS-RunShellScript\","
                                + "\"DocumentVersion\":2,\"Parameters\":{\"commands\":[\"echo hi\"]},\"Plan\":{\"Steps\":[]},"
                                + "\"ExecutionTimeoutSeconds\":3600,\"RequestedDateTime\":1764756000,\"Extra\":true}")
                        .getBytes(StandardCharsets.UTF_8));

        Invocation invocation = JournalJson.invocation(item);

        assertThat(invocation.commandId()).isEqualTo("c-1");
        assertThat(invocation.documentName()).isEqualTo("AWS-RunShellScript");
        assertThat(invocation.documentVersion()).isEqualTo("2");
        assertThat(invocation.parameters()).isEqualTo(item.get("Parameters"));
        assertThat(invocation.plan()).isEqualTo(item.get("Plan"));
        assertThat(invocation.executionTimeoutSeconds()).isEqualTo(3600);
        assertThat(invocation.requestedDateTime()).isEqualTo(Instant.ofEpochSecond(1764756000L));

        JsonNode bad = JsonCodec.readTree("{\"CommandId\":{\"no\":1}}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> JournalJson.invocation(bad)).hasMessage("CommandId: not a text");
    }

    @Test
    void aJournalReadsAnEntryTheMapperWroteAndKeepsItsBytes(@TempDir Path dir) throws IOException {
        Path entryDir = Files.createDirectories(dir.resolve("c-0123"));
        Files.writeString(entryDir.resolve("entry.json"), MAPPER_ENTRY);

        Journal journal = new Journal(dir, 10, Duration.ofDays(1));
        journal.update("c-0123", JournalEntry::resumed);

        assertThat(Files.readString(entryDir.resolve("entry.json")))
                .isEqualTo(MAPPER_ENTRY.replace("\"AWAITING_REBOOT\"", "\"RUNNING\""));
    }

    private static JournalEntry read(String json) throws IOException {
        return JournalJson.read(json.getBytes(StandardCharsets.UTF_8));
    }
}
