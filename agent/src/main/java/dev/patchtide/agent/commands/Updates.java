package dev.patchtide.agent.commands;

import dev.patchtide.agent.JsonCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bodies of {@code Patchtide.UpdateCommandInvocation}: InProgress (owed only by entries an older agent wrote),
 * and the final result with
 * every step's output and timings (the invocation's own output is its steps' outputs one after the other). The
 * whole body must fit the server's 16 MiB request limit, so when the outputs together are larger the longest
 * are cut, each with a note.
 */
final class Updates {
    static final long BODY_LIMIT = 15L * 1024 * 1024;
    private static final long TEXT_BUDGET = 12L * 1024 * 1024;

    private Updates() {}

    static Map<String, Object> inProgress(JournalEntry entry) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("CommandId", entry.commandId());
        body.put("InstanceId", entry.invocation().instanceId());
        body.put("Status", "InProgress");
        body.put("StatusDetails", "In Progress");
        body.put("ExecutionStartDateTime", entry.started());
        return body;
    }

    /**
     * @param cap the most characters of the invocation's own stdout and of its stderr (its steps' outputs one
     *     after the other): the server takes no more than a step's cap there either
     */
    static byte[] result(JournalEntry entry, Journal journal, long cap) throws IOException {
        List<StepRecord> steps = entry.steps();
        List<String> texts = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        for (int i = 0; i < steps.size(); i++) {
            String stepOut = read(journal.stdout(entry.commandId(), i));
            String stepErr = read(journal.stderr(entry.commandId(), i));
            out.append(stepOut);
            err.append(stepErr);
            texts.add(stepOut);
            texts.add(stepErr);
        }
        texts.add(0, capped(out, cap));
        texts.add(1, capped(err, cap));
        for (long budget = TEXT_BUDGET; ; budget /= 2) {
            byte[] body = JsonCodec.write(body(entry, fit(texts, budget)));
            if (body.length <= BODY_LIMIT || budget < 1024) {
                return body;
            }
        }
    }

    private static Map<String, Object> body(JournalEntry entry, List<String> texts) {
        JournalEntry.Outcome outcome = entry.outcome();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("CommandId", entry.commandId());
        body.put("InstanceId", entry.invocation().instanceId());
        body.put("Status", outcome.status());
        body.put("StatusDetails", outcome.statusDetails());
        body.put("ResponseCode", outcome.responseCode());
        body.put("ExecutionStartDateTime", entry.started());
        body.put("ExecutionEndDateTime", outcome.end());
        body.put("StandardOutputContent", texts.get(0));
        body.put("StandardErrorContent", texts.get(1));
        List<Map<String, Object>> plugins = new ArrayList<>();
        for (int i = 0; i < entry.steps().size(); i++) {
            StepRecord step = entry.steps().get(i);
            Map<String, Object> plugin = new LinkedHashMap<>();
            plugin.put("Name", step.name());
            plugin.put("Status", step.status());
            plugin.put("ResponseCode", step.responseCode());
            plugin.put("ResponseStartDateTime", step.start());
            plugin.put("ResponseFinishDateTime", step.end() != null ? step.end() : outcome.end());
            plugin.put("StandardOutputContent", texts.get(2 + 2 * i));
            plugin.put("StandardErrorContent", texts.get(3 + 2 * i));
            plugins.add(plugin);
        }
        body.put("Plugins", plugins);
        return body;
    }

    /**
     * Cuts the longest texts to one common length so that all of them together hold at most {@code budget}
     * characters; the short ones stay whole.
     */
    static List<String> fit(List<String> texts, long budget) {
        long total = texts.stream().mapToLong(String::length).sum();
        if (total <= budget) {
            return texts;
        }
        List<Integer> lengths = texts.stream().map(String::length).sorted().toList();
        long remaining = budget;
        long level = 0;
        for (int i = 0; i < lengths.size(); i++) {
            long share = remaining / (lengths.size() - i);
            if (lengths.get(i) > share) {
                level = share;
                break;
            }
            remaining -= lengths.get(i);
        }
        long cut = level;
        return texts.stream()
                .map(t -> t.length() <= cut
                        ? t
                        : t.substring(0, (int) cut) + "\n[patchtide: output cut to " + cut
                                + " characters to fit the report; " + (t.length() - cut) + " more not sent]\n")
                .toList();
    }

    private static String capped(StringBuilder text, long cap) {
        if (text.length() <= cap) {
            return text.toString();
        }
        return text.substring(0, (int) cap) + "\n[patchtide: the steps' output together cut at " + cap + " characters; "
                + (text.length() - cap) + " more are in the steps' own output]\n";
    }

    private static String read(Path file) throws IOException {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        }
    }
}
