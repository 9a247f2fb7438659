package dev.patchtide.server.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.Validation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A schema 2.2 Command document, read and checked: every problem is reported at once, each at its place
 * ({@code mainSteps[1].action}), in one {@code InvalidDocumentContent}.
 */
record CommandDocument(String description, Map<String, ParameterSpec> parameters, List<Step> steps) {

    static final String SCHEMA_VERSION = "2.2";
    static final Set<String> PLATFORMS = Set.of("Linux", "Windows", "MacOS");

    private static final Set<String> MEMBERS = Set.of("schemaVersion", "description", "parameters", "mainSteps");
    private static final Set<String> STEP_MEMBERS = Set.of("action", "name", "inputs", "precondition");
    private static final Pattern STEP_NAME = Pattern.compile("[a-zA-Z0-9_.\\-]{1,128}");
    /** Problems listed in one error at most: the rest are counted. */
    private static final int MAX_LISTED = 20;

    /**
     * One step.
     *
     * @param platform the platform its precondition requires, if it has one (steps for other platforms than
     *     Linux are left out of plans)
     */
    record Step(String name, StepAction action, JsonNode inputs, Optional<String> platform) {}

    /** Reads and checks a document's content; throws InvalidDocumentSchemaVersion or InvalidDocumentContent. */
    static CommandDocument read(JsonNode tree) {
        JsonNode schema = tree.path("schemaVersion");
        if (!schema.isTextual() || !schema.textValue().equals(SCHEMA_VERSION)) {
            throw new ApiException.Invalid(
                    "InvalidDocumentSchemaVersion",
                    "schemaVersion: Command documents here use schema version " + SCHEMA_VERSION + "; "
                            + (schema.isMissingNode()
                                    ? "none was given"
                                    : "'" + Validation.clip(schema.asText()) + "' was given")
                            + ".");
        }
        List<String> problems = new ArrayList<>();
        tree.fieldNames().forEachRemaining(member -> {
            if (!MEMBERS.contains(member)) {
                problems.add(Validation.clip(member) + ": is not a member of a schema 2.2 Command document");
            }
        });
        JsonNode description = tree.path("description");
        if (!description.isMissingNode() && !description.isTextual()) {
            problems.add("description: must be a string");
        }
        Map<String, ParameterSpec> parameters = new LinkedHashMap<>();
        JsonNode declared = tree.path("parameters");
        if (declared.isNull()) {
            declared = MissingNode.getInstance(); // "parameters:" with nothing under it, in YAML
        }
        if (!declared.isMissingNode() && !declared.isObject()) {
            problems.add("parameters: must be an object of parameter definitions");
        } else {
            declared.properties().forEach(e -> ParameterSpec.read(e.getKey(), e.getValue(), problems)
                    .ifPresent(p -> parameters.put(p.name(), p)));
        }
        List<Step> steps = steps(tree.path("mainSteps"), declared, problems);
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        return new CommandDocument(description.asText(""), parameters, steps);
    }

    /** Refused content, every problem listed (up to a bound). */
    static ApiException.Invalid invalid(List<String> problems) {
        List<String> listed = problems.size() > MAX_LISTED ? problems.subList(0, MAX_LISTED) : problems;
        String more = problems.size() > MAX_LISTED ? "; and " + (problems.size() - MAX_LISTED) + " more" : "";
        return new ApiException.Invalid(
                "InvalidDocumentContent",
                (problems.size() == 1 ? "1 problem" : problems.size() + " problems") + " in the document: "
                        + String.join("; ", listed) + more);
    }

    private static List<Step> steps(JsonNode mainSteps, JsonNode declared, List<String> problems) {
        List<Step> steps = new ArrayList<>();
        if (!mainSteps.isArray() || mainSteps.isEmpty()) {
            problems.add("mainSteps: must be a non-empty list of steps");
            return steps;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < mainSteps.size(); i++) {
            String at = "mainSteps[" + i + "]";
            JsonNode step = mainSteps.get(i);
            if (!step.isObject()) {
                problems.add(at + ": must be an object with action, name and inputs");
                continue;
            }
            step.fieldNames().forEachRemaining(member -> {
                if (!STEP_MEMBERS.contains(member)) {
                    problems.add(at + "." + Validation.clip(member) + ": is not a member of a step");
                }
            });
            JsonNode name = step.path("name");
            if (!name.isTextual() || !STEP_NAME.matcher(name.textValue()).matches()) {
                problems.add(at + ".name: is required: 1 to 128 letters, digits, '_', '.' or '-'");
            } else if (!names.add(name.textValue())) {
                problems.add(at + ".name: '" + name.textValue() + "' names an earlier step too; names are unique");
            }
            JsonNode actionNode = step.path("action");
            Optional<StepAction> action = StepAction.of(actionNode.asText(""));
            if (action.isEmpty()) {
                problems.add(at + ".action: "
                        + (actionNode.isMissingNode()
                                ? "is required"
                                : "'" + Validation.clip(actionNode.asText()) + "' is not supported")
                        + " (supported: " + StepAction.supported() + ")");
            }
            JsonNode inputs = step.path("inputs");
            if (!inputs.isObject()) {
                problems.add(at + ".inputs: must be an object");
            } else if (action.isPresent()) {
                inputs(at + ".inputs", action.get(), inputs, problems);
            }
            Optional<String> platform = precondition(at, step.get("precondition"), problems);
            References.collect(step, at, (place, ref) -> {
                if (!declared.has(ref)) {
                    problems.add(place + ": {{ " + Validation.clip(ref) + " }} is not a declared parameter"
                            + (ref.contains(":") ? " (references to other stores are not supported)" : ""));
                }
            });
            if (action.isPresent() && name.isTextual() && inputs.isObject()) {
                steps.add(new Step(name.textValue(), action.get(), inputs, platform));
            }
        }
        return steps;
    }

    private static void inputs(String at, StepAction action, JsonNode inputs, List<String> problems) {
        for (String required : action.required) {
            if (!inputs.has(required)) {
                problems.add(at + "." + required + ": is required by " + action.id);
            }
        }
        inputs.properties().forEach(e -> {
            String input = e.getKey();
            if (!action.required.contains(input) && !action.optional.contains(input)) {
                problems.add(at + "." + Validation.clip(input) + ": is not an input of " + action.id);
            } else {
                action.check(input, e.getValue(), false).ifPresent(p -> problems.add(at + "." + input + ": " + p));
            }
        });
    }

    /** AWS's one precondition: {@code {"StringEquals": ["platformType", "Linux"]}}. */
    private static Optional<String> precondition(String at, JsonNode node, List<String> problems) {
        if (node == null) {
            return Optional.empty();
        }
        JsonNode equals = node.path("StringEquals");
        if (node.isObject()
                && node.size() == 1
                && equals.isArray()
                && equals.size() == 2
                && equals.get(0).asText().equals("platformType")
                && PLATFORMS.contains(equals.get(1).asText())) {
            return Optional.of(equals.get(1).asText());
        }
        problems.add(at + ".precondition: must be {\"StringEquals\": [\"platformType\", <Linux|Windows|MacOS>]}");
        return Optional.empty();
    }
}
