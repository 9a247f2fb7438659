package dev.patchtide.server.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A service served over the AWS query protocol: its XML namespace and API version (the form's
 * {@code Version}), the Signature V4 service name its requests are signed for, its operations, and
 * the codes its model gives to errors the actions raise under generic names (for example SNS's
 * {@code AuthorizationError} for {@code AccessDeniedException}).
 */
public record QueryService(
        String xmlNamespace,
        String version,
        String signingName,
        Map<String, Operation> operations,
        Map<String, String> errorCodes) {

    public QueryService {
        operations = Map.copyOf(operations);
        errorCodes = Map.copyOf(errorCodes);
    }

    public static QueryService of(
            String xmlNamespace,
            String version,
            String signingName,
            List<Operation> operations,
            Map<String, String> errorCodes) {
        Map<String, Operation> byName = new LinkedHashMap<>();
        for (Operation operation : operations) {
            if (byName.put(operation.name(), operation) != null) {
                throw new IllegalStateException("query operation listed twice: " + operation.name());
            }
        }
        return new QueryService(xmlNamespace, version, signingName, byName, errorCodes);
    }

    /**
     * One operation ({@code Action=CreateTopic}): the target of the registered action that does it, its
     * input shape, and its output shape, written inside {@code <NameResult>} (the model's
     * {@code resultWrapper}); an operation without output answers with the response metadata only.
     */
    public record Operation(
            String name, String target, QueryShape.Structure input, Optional<QueryShape.Structure> output) {}
}
