package dev.patchtide.server.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.documents.CommandDocument.Step;
import dev.patchtide.server.documents.DocumentStore.Header;
import dev.patchtide.server.documents.DocumentStore.Version;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The {@link DocumentResolver} of stored documents: picks the version, fills in defaults, checks every value,
 * substitutes references and builds the plan, resolving {@code aws:runDocument} steps and patch hooks into
 * nested plans now, so the agent never looks a document up. Nesting is bounded in depth and may not loop.
 */
final class Resolver implements DocumentResolver {
    /** Documents nested below the one a command names (aws:runDocument, hooks), at most. */
    static final int MAX_NESTING = 3;

    /** The largest plan handed to agents, nested plans included. */
    static final int MAX_PLAN_BYTES = 256 * 1024;

    static final String NOOP = "AWS-Noop";

    private final DocumentLookup lookup;

    Resolver(DocumentLookup lookup) {
        this.lookup = lookup;
    }

    @Override
    public ResolvedDocument resolve(
            Handle handle, String name, Optional<String> version, Map<String, List<String>> parameters) {
        ResolvedDocument resolved =
                resolve(handle, name, version, parameters == null ? Map.of() : parameters, List.of());
        int bytes = resolved.plan().toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PLAN_BYTES) {
            throw new ApiException.Invalid(
                    "MaxDocumentSizeExceeded",
                    "The resolved document (nested documents and parameter values included) takes " + bytes
                            + " bytes; the limit is " + MAX_PLAN_BYTES + ".");
        }
        return resolved;
    }

    private ResolvedDocument resolve(
            Handle h, String nameOrArn, Optional<String> version, Map<String, List<String>> given, List<String> chain) {
        Header d = lookup.document(h, nameOrArn, false);
        if (chain.contains(d.name())) {
            throw new ApiException.Invalid(
                    "InvalidDocument",
                    "Documents run each other in a loop: " + String.join(" -> ", chain) + " -> " + d.name() + ".");
        }
        if (chain.size() > MAX_NESTING) {
            throw new ApiException.Invalid(
                    "InvalidDocument",
                    "Documents nest at most " + MAX_NESTING + " deep: " + String.join(" -> ", chain) + " -> " + d.name()
                            + ".");
        }
        Version v = lookup.version(h, d, version, Optional.empty());
        CommandDocument doc = CommandDocument.read(DocumentContent.stored(v.body()));
        for (String name : given.keySet()) {
            if (!doc.parameters().containsKey(name)) {
                throw new ApiException.Invalid(
                        "InvalidParameters",
                        "Parameter " + Validation.clip(name) + " is not a parameter of document " + d.name() + ".");
            }
        }
        Map<String, JsonNode> values = new HashMap<>();
        Map<String, List<String>> complete = new LinkedHashMap<>();
        for (ParameterSpec spec : doc.parameters().values()) {
            List<String> value = given.containsKey(spec.name())
                    ? given.get(spec.name())
                    : spec.defaultValues()
                            .orElseThrow(() -> new ApiException.Invalid(
                                    "InvalidParameters",
                                    "Parameter " + spec.name() + " of document " + d.name()
                                            + " is required: it has no default."));
            if (value == null) {
                throw new ApiException.Invalid("InvalidParameters", "Parameter " + spec.name() + " has no value.");
            }
            values.put(spec.name(), spec.typed(value));
            complete.put(spec.name(), List.copyOf(value));
        }
        List<String> deeper = new ArrayList<>(chain);
        deeper.add(d.name());
        ArrayNode steps = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < doc.steps().size(); i++) {
            Step step = doc.steps().get(i);
            if (step.platform().filter(p -> !p.equals("Linux")).isPresent()) {
                continue; // agents run Linux: a step for another platform is skipped, as AWS skips it there
            }
            String at = d.name() + " mainSteps[" + i + "].inputs";
            JsonNode inputs = References.substitute(step.inputs(), values);
            ObjectNode planStep = steps.addObject();
            planStep.put("Name", step.name());
            planStep.put("Action", step.action().id);
            planStep.set("Inputs", inputs(h, step.action(), inputs, at, deeper));
        }
        ObjectNode plan = JsonNodeFactory.instance.objectNode();
        plan.set("Steps", steps);
        return new ResolvedDocument(d.name(), String.valueOf(v.version()), complete, plan);
    }

    private ObjectNode inputs(Handle h, StepAction action, JsonNode in, String at, List<String> chain) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String input : action.required) {
            if (!in.has(input)) {
                throw invalidInput(at, input, "is required");
            }
        }
        in.properties()
                .forEach(e -> action.check(e.getKey(), e.getValue(), true).ifPresent(problem -> {
                    throw invalidInput(at, e.getKey(), problem);
                }));
        switch (action) {
            case RUN_SHELL_SCRIPT -> {
                out.set("RunCommand", texts(in.get("runCommand")));
                String directory = in.path("workingDirectory").asText("");
                if (!directory.isEmpty()) {
                    out.put("WorkingDirectory", directory);
                }
                out.put(
                        "TimeoutSeconds",
                        in.has("timeoutSeconds")
                                ? StepAction.timeout(in.get("timeoutSeconds")).orElseThrow()
                                : StepAction.DEFAULT_TIMEOUT);
            }
            case RUN_DOCUMENT -> {
                ResolvedDocument nested = nested(
                        h, in.get("documentPath").textValue(), parameters(in.get("documentParameters"), at), at, chain);
                out.put("DocumentName", nested.name());
                out.set("Plan", nested.plan());
            }
            case RUN_PATCH_BASELINE -> {
                out.put("Operation", in.get("operation").textValue());
                out.put("SnapshotId", in.path("snapshotId").asText(""));
                out.put("RebootOption", in.path("rebootOption").asText("RebootIfNeeded"));
                out.put("InstallOverrideList", in.path("installOverrideList").asText(""));
                out.put("BaselineOverride", in.path("baselineOverride").asText(""));
                JsonNode exclude = in.path("excludePatches");
                out.set(
                        "ExcludePatches",
                        exclude.isMissingNode()
                                        || (exclude.isTextual()
                                                && exclude.textValue().isEmpty())
                                ? JsonNodeFactory.instance.arrayNode()
                                : texts(exclude));
                hook(h, in, "preInstallHookDocName", "PreInstallHook", out, at, chain);
                hook(h, in, "postInstallHookDocName", "PostInstallHook", out, at, chain);
                hook(h, in, "onExitHookDocName", "OnExitHook", out, at, chain);
            }
            case UPDATE_AGENT -> {
                out.put("TargetVersion", in.path("targetVersion").asText(""));
                out.put("AllowDowngrade", in.path("allowDowngrade").asText("false"));
            }
        }
        return out;
    }

    private void hook(Handle h, JsonNode in, String input, String key, ObjectNode out, String at, List<String> chain) {
        String name = in.path(input).asText("");
        if (!name.isEmpty() && !name.equals(NOOP)) {
            out.set(key, nested(h, name, Map.of(), at + "." + input, chain).plan());
        }
    }

    /** Resolves a nested document; its errors say which step asked for it. */
    private ResolvedDocument nested(
            Handle h, String name, Map<String, List<String>> parameters, String at, List<String> chain) {
        try {
            return resolve(h, name, Optional.empty(), parameters, chain);
        } catch (ApiException e) {
            String message = at + " runs " + Validation.clip(name) + ": " + e.getMessage();
            throw switch (e) {
                case ApiException.NotFound nf -> new ApiException.NotFound(nf.code(), message);
                case ApiException.Invalid inv -> new ApiException.Invalid(inv.code(), message);
                default -> e;
            };
        }
    }

    /** aws:runDocument's documentParameters (an object, or its JSON text) as a command's parameters. */
    private static Map<String, List<String>> parameters(JsonNode node, String at) {
        if (node == null || (node.isTextual() && node.textValue().isBlank())) {
            return Map.of();
        }
        JsonNode object = node;
        if (node.isTextual()) {
            try {
                object = dev.patchtide.server.api.ApiJson.documents().readTree(node.textValue());
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw invalidInput(at, "documentParameters", "is not a JSON object");
            }
        }
        if (!object.isObject()) {
            throw invalidInput(at, "documentParameters", "is not an object");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        object.properties().forEach(e -> {
            List<String> values = new ArrayList<>();
            if (e.getValue().isArray()) {
                e.getValue().forEach(v -> values.add(v.isValueNode() ? v.asText() : v.toString()));
            } else {
                values.add(
                        e.getValue().isValueNode()
                                ? e.getValue().asText()
                                : e.getValue().toString());
            }
            out.put(e.getKey(), values);
        });
        return out;
    }

    /** A string or a list of values, as a list of strings (lines of a script, patch ids). */
    private static ArrayNode texts(JsonNode node) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        if (node.isArray()) {
            node.forEach(e -> out.add(e.isValueNode() ? e.asText() : e.toString()));
        } else {
            out.add(node.asText());
        }
        return out;
    }

    private static ApiException.Invalid invalidInput(String at, String input, String problem) {
        return new ApiException.Invalid("InvalidParameters", at + "." + input + " " + problem + ".");
    }
}
