package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A graph's transitions: targets that name no state, a graph without a terminal state, and states nothing
 * reaches. As AWS does, a missing terminal state is reported alone (without location) and suppresses the
 * reachability walk; a dangling target is always reported, with the word 'Next' whatever the field.
 */
final class Transitions {
    private record Target(String state, String location) {}

    private Transitions() {}

    static void check(
            JsonNode graph, JsonNode statesNode, Map<String, JsonNode> typed, String base, Problems problems) {
        Set<String> all = new HashSet<>();
        statesNode.fieldNames().forEachRemaining(all::add);
        for (Map.Entry<String, JsonNode> e : typed.entrySet()) {
            for (Target t : targets(e.getValue(), base + "/States/" + e.getKey())) {
                if (!all.contains(t.state())) {
                    problems.error(Problems.MISSING_TARGET, "Missing 'Next' target: " + t.state(), t.location());
                }
            }
        }
        JsonNode startAt = graph.get("StartAt");
        boolean startValid = startAt != null && startAt.isTextual() && all.contains(startAt.asText());
        if (startAt != null && startAt.isTextual() && !startValid) {
            problems.error(Problems.MISSING_TARGET, "Missing 'StartAt' target: " + startAt.asText(), base + "/StartAt");
        }
        if (typed.size() < all.size()) {
            return; // a state without a valid type: reachability would only add noise
        }
        if (typed.values().stream().noneMatch(Transitions::terminal)) {
            problems.error(Problems.MISSING_END, "Workflow has no terminal state", null);
            return;
        }
        if (!startValid) {
            return;
        }
        Set<String> reached = new HashSet<>();
        var queue = new ArrayDeque<String>();
        queue.add(startAt.asText());
        while (!queue.isEmpty()) {
            String name = queue.poll();
            if (reached.add(name) && typed.containsKey(name)) {
                targets(typed.get(name), "").forEach(t -> queue.add(t.state()));
            }
        }
        for (String name : typed.keySet()) {
            if (!reached.contains(name)) {
                problems.error(
                        Problems.MISSING_TARGET, "State \"" + name + "\" is not reachable.", base + "/States/" + name);
            }
        }
    }

    static boolean terminal(JsonNode state) {
        String type = state.path("Type").asText();
        return type.equals("Succeed")
                || type.equals("Fail")
                || state.path("End").asBoolean(false);
    }

    private static List<Target> targets(JsonNode state, String at) {
        var out = new ArrayList<Target>();
        add(out, state.get("Next"), at + "/Next");
        add(out, state.get("Default"), at + "/Default");
        JsonNode choices = state.get("Choices");
        if (choices != null && choices.isArray()) {
            for (int i = 0; i < choices.size(); i++) {
                add(out, choices.get(i).get("Next"), at + "/Choices[" + i + "]/Next");
            }
        }
        JsonNode catchers = state.get("Catch");
        if (catchers != null && catchers.isArray()) {
            for (int i = 0; i < catchers.size(); i++) {
                add(out, catchers.get(i).get("Next"), at + "/Catch[" + i + "]/Next");
            }
        }
        return out;
    }

    private static void add(List<Target> out, JsonNode next, String location) {
        if (next != null && next.isTextual()) {
            out.add(new Target(next.asText(), location));
        }
    }
}
