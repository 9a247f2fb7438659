package dev.patchtide.server.documents;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The step actions a Command document may use, with the inputs each takes (as written in documents, in
 * AWS's lower camel case) and the checks of inputs written literally, without a {@code {{ reference }}}.
 * The inputs an agent receives are the plan's (see {@link PlanBuilder}).
 */
enum StepAction {
    RUN_SHELL_SCRIPT("aws:runShellScript", Set.of("runCommand"), Set.of("workingDirectory", "timeoutSeconds")),
    RUN_DOCUMENT("aws:runDocument", Set.of("documentPath"), Set.of("documentType", "documentParameters")),
    RUN_PATCH_BASELINE(
            "patchtide:runPatchBaseline",
            Set.of("operation"),
            Set.of(
                    "snapshotId",
                    "installOverrideList",
                    "baselineOverride",
                    "rebootOption",
                    "excludePatches",
                    "preInstallHookDocName",
                    "postInstallHookDocName",
                    "onExitHookDocName")),
    /** Patchtide-UpdateAgent's step: the agent upgrades its own package from this server. */
    UPDATE_AGENT("patchtide:updateAgent", Set.of(), Set.of("targetVersion", "allowDowngrade"));

    /** aws:runShellScript's limit on a step's time, in seconds (48 hours), and its default (one hour). */
    static final int MAX_TIMEOUT = 172_800;

    static final int DEFAULT_TIMEOUT = 3600;

    static final List<String> OPERATIONS = List.of("Scan", "Install");
    static final List<String> REBOOT_OPTIONS = List.of("RebootIfNeeded", "NoReboot");
    static final List<String> BOOLEANS = List.of("true", "false");
    static final Pattern AGENT_VERSION = Pattern.compile("^$|^[0-9][0-9A-Za-z.+~]{0,63}$");
    static final Pattern DOCUMENT_NAME = Pattern.compile("[a-zA-Z0-9_\\-.:/]{3,128}");

    final String id;
    final Set<String> required;
    final Set<String> optional;

    StepAction(String id, Set<String> required, Set<String> optional) {
        this.id = id;
        this.required = required;
        this.optional = optional;
    }

    static Optional<StepAction> of(String id) {
        return Arrays.stream(values()).filter(a -> a.id.equals(id)).findFirst();
    }

    static String supported() {
        return String.join(", ", Arrays.stream(values()).map(a -> a.id).toList());
    }

    /**
     * The problem with one input's value, if it has one. Before resolution ({@code resolved} false) a string
     * holding a reference is checked later, once substituted.
     */
    Optional<String> check(String input, JsonNode value, boolean resolved) {
        if (!resolved && value.isTextual() && References.hasReference(value)) {
            return Optional.empty();
        }
        return switch (input) {
            case "runCommand", "excludePatches" ->
                value.isTextual() || (value.isArray() && allText(value, resolved))
                        ? Optional.empty()
                        : Optional.of("must be a string or a list of strings");
            case "timeoutSeconds" ->
                timeout(value).isPresent()
                        ? Optional.empty()
                        : Optional.of("must be a whole number of seconds from 1 to " + MAX_TIMEOUT);
            case "documentType" ->
                value.isTextual() && value.textValue().equals("SSMDocument")
                        ? Optional.empty()
                        : Optional.of("only SSMDocument is supported (documents stored on this server)");
            case "documentPath", "preInstallHookDocName", "postInstallHookDocName", "onExitHookDocName" ->
                value.isTextual() && DOCUMENT_NAME.matcher(value.textValue()).matches()
                        ? Optional.empty()
                        : Optional.of("must be a document name");
            case "documentParameters" ->
                value.isObject() || value.isTextual()
                        ? Optional.empty()
                        : Optional.of("must be an object of parameter values (or its JSON text)");
            case "operation" -> oneOf(value, OPERATIONS);
            case "rebootOption" -> oneOf(value, REBOOT_OPTIONS);
            case "allowDowngrade" -> oneOf(value, BOOLEANS);
            case "targetVersion" ->
                value.isTextual() && AGENT_VERSION.matcher(value.textValue()).matches()
                        ? Optional.empty()
                        : Optional.of("must be empty or a package version such as 1.2.3");
            default -> value.isTextual() ? Optional.empty() : Optional.of("must be a string");
        };
    }

    /** A timeout input as seconds, when it is a whole number (or its text) within aws:runShellScript's range. */
    static Optional<Integer> timeout(JsonNode value) {
        try {
            long seconds = value.isIntegralNumber()
                    ? value.longValue()
                    : value.isTextual() ? Long.parseLong(value.textValue().strip()) : -1;
            return seconds >= 1 && seconds <= MAX_TIMEOUT ? Optional.of((int) seconds) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> oneOf(JsonNode value, List<String> allowed) {
        return value.isTextual() && allowed.contains(value.textValue())
                ? Optional.empty()
                : Optional.of("must be one of " + allowed);
    }

    /** Written lists hold strings; once resolved, a substituted number or boolean counts as its text. */
    private static boolean allText(JsonNode array, boolean resolved) {
        for (JsonNode e : array) {
            if (!e.isTextual() && !(resolved && e.isValueNode() && !e.isNull())) {
                return false;
            }
        }
        return true;
    }
}
