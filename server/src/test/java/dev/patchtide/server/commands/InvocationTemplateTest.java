package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.commands.AgentMessages.Invocation;
import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A poll's answer written from a command's template is, byte for byte, the answer written from the record. */
class InvocationTemplateTest {
    private static final CommandRow COMMAND = new CommandRow(
            UUID.fromString("5b2f6f7e-1f51-4b0c-9a55-2a9c2a3f0b11"),
            "AWS-RunShellScript",
            "1",
            // A document's text may hold anything, the template's own placeholder too.
            Map.of(
                    "commands",
                    List.of("echo \"hi\"", "echo @@patchtide-instance@@"),
                    "executionTimeout",
                    List.of("600")),
            "{\"Steps\":[{\"Name\":\"runShellScript\",\"Action\":\"aws:runShellScript\","
                    + "\"Inputs\":{\"RunCommand\":[\"echo \\\"hi\\\"\"]}}]}",
            List.of(),
            List.of(),
            "",
            Instant.parse("2026-12-03T13:30:07.123Z"),
            Instant.parse("2026-12-03T14:30:07.123Z"),
            Instant.parse("2026-12-03T14:40:07.123Z"),
            3600,
            600,
            "100%",
            "0",
            10_000,
            0,
            CommandState.PENDING,
            false,
            2,
            0,
            0,
            0,
            Optional.empty(),
            "",
            "",
            "",
            "");

    private static String answer(AgentMessages.HandedInvocation invocation) throws Exception {
        return ApiJson.mapper()
                .writeValueAsString(new ReceiveCommandInvocationsResult(List.of(invocation), List.of("c-1")));
    }

    private static Invocation record(String instanceId) {
        return new Invocation(
                COMMAND.commandId().toString(),
                instanceId,
                COMMAND.documentName(),
                COMMAND.documentVersion(),
                COMMAND.parameters(),
                new RawValue(COMMAND.plan()),
                COMMAND.executionTimeoutSeconds(),
                COMMAND.requestedAt());
    }

    @Test
    void theSplicedAnswerIsTheRecordsAnswer() throws Exception {
        InvocationTemplate template = new InvocationTemplate(COMMAND);
        for (String instance : List.of("mi-0123456789abcdef0", "i-0fedcba9876543210")) {
            assertThat(answer(template.of(instance))).isEqualTo(answer(record(instance)));
        }
        assertThat(ApiJson.mapper()
                        .readTree(answer(template.of("mi-0123456789abcdef0")))
                        .path("Invocations")
                        .get(0)
                        .path("Plan")
                        .path("Steps")
                        .get(0)
                        .path("Name")
                        .asText())
                .isEqualTo("runShellScript");
    }
}
