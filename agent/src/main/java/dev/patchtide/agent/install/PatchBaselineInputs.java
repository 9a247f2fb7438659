package dev.patchtide.agent.install;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.JsonCodec;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The inputs of a {@code patchtide:runPatchBaseline} step (see the javadoc of {@code Plugin}), checked: an
 * unknown operation or reboot option, a non-https override list or a BaselineOverride that is not JSON is
 * refused with a message naming the input, before anything runs.
 */
record PatchBaselineInputs(
        String operation,
        Optional<String> snapshotId,
        String rebootOption,
        Optional<URI> installOverrideList,
        Optional<JsonNode> baselineOverride,
        List<String> excludePatches,
        Optional<JsonNode> preInstallHook,
        Optional<JsonNode> postInstallHook,
        Optional<JsonNode> onExitHook) {

    static final String SCAN = "Scan";
    static final String INSTALL = "Install";
    static final String REBOOT_IF_NEEDED = "RebootIfNeeded";
    static final String NO_REBOOT = "NoReboot";

    /** An input the step cannot run with; the message names it. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    boolean install() {
        return operation.equals(INSTALL);
    }

    boolean rebootIfNeeded() {
        return rebootOption.equals(REBOOT_IF_NEEDED);
    }

    static PatchBaselineInputs of(JsonNode inputs) throws Invalid {
        String operation = text(inputs, "Operation").orElse(SCAN);
        if (!Set.of(SCAN, INSTALL).contains(operation)) {
            throw new Invalid("Operation: '" + clip(operation) + "' is neither Scan nor Install");
        }
        String reboot = text(inputs, "RebootOption").orElse(REBOOT_IF_NEEDED);
        if (!Set.of(REBOOT_IF_NEEDED, NO_REBOOT).contains(reboot)) {
            throw new Invalid("RebootOption: '" + clip(reboot) + "' is neither RebootIfNeeded nor NoReboot");
        }
        Optional<URI> overrideList = Optional.empty();
        Optional<String> url = text(inputs, "InstallOverrideList");
        if (url.isPresent()) {
            try {
                URI uri = new URI(url.get());
                if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                    throw new Invalid("InstallOverrideList: '" + clip(url.get()) + "' is not an https URL");
                }
                overrideList = Optional.of(uri);
            } catch (URISyntaxException e) {
                throw new Invalid("InstallOverrideList: '" + clip(url.get()) + "' is not a URL");
            }
        }
        Optional<JsonNode> baselineOverride = Optional.empty();
        JsonNode override = inputs.path("BaselineOverride");
        if (override.isObject() || override.isArray()) {
            baselineOverride = Optional.of(override);
        } else if (override.isTextual() && !override.asText().isBlank()) {
            try {
                baselineOverride =
                        Optional.of(JsonCodec.readTree(override.asText().getBytes(StandardCharsets.UTF_8)));
            } catch (JsonProcessingException e) {
                throw new Invalid("BaselineOverride: not JSON (" + e.getOriginalMessage() + ")");
            } catch (IOException e) {
                throw new Invalid("BaselineOverride: not JSON"); // from memory: only a parse error, caught above
            }
        }
        List<String> excluded = new ArrayList<>();
        JsonNode exclude = inputs.path("ExcludePatches");
        if (exclude.isTextual()) {
            // A String parameter: ids separated by commas or white space.
            for (String id : exclude.asText().split("[,\\s]+")) {
                if (!id.isEmpty()) {
                    excluded.add(id);
                }
            }
        } else if (exclude.isArray()) {
            for (JsonNode id : exclude) {
                if (!id.isTextual() || id.asText().isBlank()) {
                    throw new Invalid("ExcludePatches: every member must be a patch id");
                }
                excluded.add(id.asText().strip());
            }
        } else if (!exclude.isMissingNode() && !exclude.isNull()) {
            throw new Invalid("ExcludePatches: must be a list of patch ids");
        }
        return new PatchBaselineInputs(
                operation,
                text(inputs, "SnapshotId"),
                reboot,
                overrideList,
                baselineOverride,
                List.copyOf(excluded),
                hook(inputs, "PreInstallHook"),
                hook(inputs, "PostInstallHook"),
                hook(inputs, "OnExitHook"));
    }

    private static Optional<String> text(JsonNode inputs, String name) {
        JsonNode value = inputs.path(name);
        return value.isTextual() && !value.asText().isBlank()
                ? Optional.of(value.asText().strip())
                : Optional.empty();
    }

    private static Optional<JsonNode> hook(JsonNode inputs, String name) throws Invalid {
        JsonNode plan = inputs.path(name);
        if (plan.isMissingNode() || plan.isNull()) {
            return Optional.empty();
        }
        if (!plan.isObject() || !plan.path("Steps").isArray()) {
            throw new Invalid(name + ": must be a plan with Steps");
        }
        return Optional.of(plan);
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
