package dev.patchtide.server.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.documents.DocumentResolver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * A stand-in for the documents feature's resolver (test code only, until it is on main): AWS-RunShellScript with
 * its parameters, and Test-TwoSteps whose plan has two steps.
 */
final class TestDocuments implements DocumentResolver {

    @Override
    public ResolvedDocument resolve(
            Handle handle, String name, Optional<String> version, Map<String, List<String>> parameters) {
        if (!name.equals("AWS-RunShellScript") && !name.equals("Test-TwoSteps")) {
            throw new ApiException.NotFound("InvalidDocument", "Document " + name + " does not exist.");
        }
        if (version.isPresent() && !version.get().equals("1") && !version.get().startsWith("$")) {
            throw new ApiException.NotFound("InvalidDocumentVersion", "Document " + name + " has no such version.");
        }
        for (String given : parameters.keySet()) {
            if (!List.of("commands", "executionTimeout", "workingDirectory").contains(given)) {
                throw new ApiException.Invalid("InvalidParameters", "Parameter " + given + " is not defined.");
            }
        }
        if (!parameters.containsKey("commands")) {
            throw new ApiException.Invalid("InvalidParameters", "Parameter commands is required.");
        }
        Map<String, List<String>> complete = new LinkedHashMap<>();
        complete.put("commands", parameters.get("commands"));
        complete.put("executionTimeout", parameters.getOrDefault("executionTimeout", List.of("3600")));
        complete.put("workingDirectory", parameters.getOrDefault("workingDirectory", List.of("")));
        ObjectNode plan = ApiJson.documents().createObjectNode();
        ArrayNode steps = plan.putArray("Steps");
        List<String> stepNames = name.equals("Test-TwoSteps") ? List.of("first", "second") : List.of("runShellScript");
        for (String step : stepNames) {
            ObjectNode s = steps.addObject();
            s.put("Name", step);
            s.put("Action", "aws:runShellScript");
            ObjectNode inputs = s.putObject("Inputs");
            ArrayNode lines = inputs.putArray("RunCommand");
            complete.get("commands").forEach(lines::add);
            inputs.put("TimeoutSeconds", complete.get("executionTimeout").getFirst());
        }
        return new ResolvedDocument(name, "1", complete, plan);
    }
}
