package dev.patchtide.server.documents;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Turns a document and the parameters of a command into the plan an agent runs: defaults filled in, each
 * value checked against its type and allowed values, {@code {{ name }}} substituted, nested documents
 * ({@code aws:runDocument}, patch hooks) resolved into nested plans. The plan's format is the agent's
 * contract, described in agent's {@code dev.patchtide.agent.commands.Plugin}.
 */
public interface DocumentResolver {

    /**
     * @param version a version number, {@code $DEFAULT} or {@code $LATEST}; empty means the default version
     * @throws dev.patchtide.server.api.ApiException.NotFound {@code InvalidDocument} when there is no such
     *     document, {@code InvalidDocumentVersion} when it has no such version
     * @throws dev.patchtide.server.api.ApiException.Invalid {@code InvalidParameters} naming the parameter
     */
    ResolvedDocument resolve(
            Handle handle, String name, Optional<String> version, Map<String, List<String>> parameters);

    /** The document version a command ran, the complete parameters it ran with, and the plan. */
    record ResolvedDocument(
            String name, String documentVersion, Map<String, List<String>> parameters, ObjectNode plan) {}
}
