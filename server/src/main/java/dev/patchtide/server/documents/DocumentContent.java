package dev.patchtide.server.documents;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.StorableText;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * A document's content in its two written forms, JSON and YAML: parsing (bounded in size, duplicate keys
 * refused), converting between them, and the SHA-256 that DescribeDocument shows.
 */
final class DocumentContent {
    /** AWS's limit on a document's content (MaxDocumentSizeExceeded). */
    static final int MAX_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final ObjectMapper YAML = yaml();

    private DocumentContent() {}

    enum Format {
        JSON,
        YAML
    }

    /** Content parsed: the text as given, its format, and the tree (for validation, resolution and conversion). */
    record Parsed(String text, Format format, JsonNode tree) {}

    static Parsed parse(String text, Format format) {
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new ApiException.Invalid(
                    "MaxDocumentSizeExceeded", "The content of a document is limited to 64 KB (65,536 bytes).");
        }
        JsonNode tree;
        try {
            tree = (format == Format.JSON ? JSON : YAML).readTree(text);
        } catch (JacksonException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new ApiException.Invalid(
                    "InvalidDocumentContent",
                    "The content is not valid " + format + where + ": " + reason(e)
                            + ". Check the DocumentFormat member.");
        }
        if (tree == null || !tree.isObject()) {
            throw new ApiException.Invalid(
                    "InvalidDocumentContent", "The content must be a " + format + " object (mapping).");
        }
        StorableText.find(tree).ifPresent(path -> {
            throw new ApiException.Invalid(
                    "InvalidDocumentContent",
                    "The content holds text that cannot be stored (NUL or an unpaired surrogate) at " + path + ".");
        });
        return new Parsed(text, format, tree);
    }

    /** The content in {@code wanted} form: the original text when it is already in that form. */
    static String render(Parsed content, Format wanted) {
        if (content.format() == wanted) {
            return content.text();
        }
        try {
            return wanted == Format.JSON
                    ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(content.tree())
                    : YAML.writeValueAsString(content.tree());
        } catch (JacksonException e) {
            throw new IllegalStateException("a parsed document could not be written again", e);
        }
    }

    /** The tree as compact JSON, keys in their written order: how the parsed content is stored. */
    static String compact(JsonNode tree) {
        try {
            return JSON.writeValueAsString(tree);
        } catch (JacksonException e) {
            throw new IllegalStateException("a parsed document could not be written again", e);
        }
    }

    /** Reads back what {@link #compact} stored. */
    static JsonNode stored(String compact) {
        try {
            return JSON.readTree(compact);
        } catch (JacksonException e) {
            throw new IllegalStateException("a stored document body is not JSON", e);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Jackson's first message line, without the source excerpt it appends (which may be large). */
    private static String reason(JacksonException e) {
        String message = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
        int newline = message.indexOf('\n');
        String first = newline < 0 ? message : message.substring(0, newline);
        return first.length() > 200 ? first.substring(0, 200) + "..." : first;
    }

    private static ObjectMapper yaml() {
        LoaderOptions loader = new LoaderOptions();
        // Bounds what a small text can expand to (alias bombs) and nesting, on top of the 64 KB limit.
        loader.setMaxAliasesForCollections(20);
        loader.setNestingDepthLimit(50);
        loader.setAllowDuplicateKeys(false);
        loader.setCodePointLimit(MAX_BYTES + 1);
        YAMLFactory factory = YAMLFactory.builder()
                .loaderOptions(loader)
                .streamReadConstraints(
                        StreamReadConstraints.builder().maxNestingDepth(50).build())
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                // Keeps "3600" a string when read back, and scripts readable as blocks.
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                .build();
        return YAMLMapper.builder(factory)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // one YAML document, not a stream
                .build();
    }
}
