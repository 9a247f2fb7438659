package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * Reads untrusted definition text with bounds: AWS's 1 MiB definition limit, a nesting depth far beyond any real
 * machine, and duplicate keys refused (a duplicate would silently change which value wins).
 */
final class JsonText {
    static final int MAX_CHARS = 1_048_576;
    static final int MAX_DEPTH = 400;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_CHARS)
                    .build())
            .build());

    private JsonText() {}

    /** The definition's root object, or empty with the reason added to {@code problems}. */
    static Optional<JsonNode> read(String json, Problems problems) {
        if (json == null || json.isBlank()) {
            problems.error(Problems.MISSING_DESCRIPTION, "Received a null or empty workflow input", null);
            return Optional.empty();
        }
        if (json.length() > MAX_CHARS) {
            problems.schema("The definition is longer than " + MAX_CHARS + " characters", null);
            return Optional.empty();
        }
        JsonNode root;
        try (JsonParser parser = MAPPER.createParser(json)) {
            root = MAPPER.readTree(parser);
            if (parser.nextToken() != null) {
                problems.error(Problems.INVALID_JSON, "Unexpected content after the JSON object", null);
                return Optional.empty();
            }
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            String at = where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            problems.error(Problems.INVALID_JSON, e.getOriginalMessage() + at, null);
            return Optional.empty();
        } catch (java.io.IOException e) {
            problems.error(Problems.INVALID_JSON, String.valueOf(e.getMessage()), null);
            return Optional.empty();
        }
        if (root == null || !root.isObject()) {
            problems.schema("The definition must be a JSON object", "/");
            return Optional.empty();
        }
        return Optional.of(root);
    }
}
