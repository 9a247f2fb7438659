package dev.patchtide.server.notify;

import java.util.List;
import java.util.Optional;

/**
 * A message made readable, before any channel's formatting: a title, a paragraph, facts (name/value
 * pairs), the instances it concerns, and a link. Generic messages have only a title and a paragraph.
 */
record RenderedMessage(
        String title, String text, List<Fact> facts, List<InstanceLine> instances, Optional<String> link) {

    RenderedMessage {
        facts = List.copyOf(facts);
        instances = List.copyOf(instances);
    }

    record Fact(String name, String value) {}

    /**
     * One instance in an alert, with what the database knows of it at render time. {@code status} is the
     * instance's status the message reports: its patch compliance, or how a command ended there.
     */
    record InstanceLine(
            String instanceId,
            String name,
            Optional<String> status,
            Optional<String> severity,
            Optional<PatchCounts> counts,
            String dashboardUrl) {

        /** "web-1 (mi-0123…)" or just the id when the instance has no name. */
        String label() {
            return name.isBlank() || name.equals(instanceId) ? instanceId : name + " (" + instanceId + ")";
        }

        /** "NON_COMPLIANT, CRITICAL, 3 missing (1 critical, 2 security), reboot pending". */
        String summary() {
            List<String> parts = new java.util.ArrayList<>();
            status.ifPresent(parts::add);
            severity.ifPresent(parts::add);
            counts.ifPresent(c -> {
                parts.add(c.missing() + " missing (" + c.critical() + " critical, " + c.security() + " security)");
                if (c.rebootRequired()) {
                    parts.add("reboot pending");
                }
            });
            return String.join(", ", parts);
        }
    }

    /** Missing-patch counts from the instance's latest scan. */
    record PatchCounts(int missing, int critical, int security, boolean rebootRequired) {}

    /** The message as plain text: title, paragraph, facts, one line per instance, link. */
    String plainText() {
        StringBuilder out = new StringBuilder(title).append("\n\n");
        if (!text.isBlank()) {
            out.append(text).append("\n\n");
        }
        for (Fact fact : facts) {
            out.append(fact.name()).append(": ").append(fact.value()).append('\n');
        }
        if (!facts.isEmpty()) {
            out.append('\n');
        }
        for (InstanceLine line : instances) {
            out.append("- ").append(line.label());
            String summary = line.summary();
            if (!summary.isEmpty()) {
                out.append(": ").append(summary);
            }
            out.append("\n  ").append(line.dashboardUrl()).append('\n');
        }
        link.filter(l -> instances.size() != 1)
                .ifPresent(l -> out.append("\n").append(l).append('\n'));
        return out.toString().stripTrailing() + "\n";
    }
}
