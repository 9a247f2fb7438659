package dev.patchtide.server.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;

/**
 * Parses a request body into a JSON tree with bounds on its shape as well as its size, so a body that passed
 * {@link RequestBody}'s byte limit cannot still blow up into a deep stack or millions of nodes. The tree is then
 * checked ({@link StorableText}) and bound by {@link ApiRouter#bind}.
 */
public final class RequestJson {
    /** AWS shapes nest a handful of levels; free-form members (tags, parameters, documents) a few more. */
    static final int MAX_DEPTH = 64;

    /**
     * Tokens in one body. A scan report of 1,500 packages is about 25,000; a million keeps the tree of the
     * largest body allowed in tens of megabytes.
     */
    static final long MAX_TOKENS = 1_000_000;

    static final JsonFactory BOUNDED = JsonFactory.builder()
            .recyclerPool(ApiJson.BUFFERS)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxTokenCount(MAX_TOKENS)
                    .build())
            .build();

    private RequestJson() {}

    /** Which bound a body broke, in our words (Jackson's name its own configuration methods). */
    private static String limitHit(StreamConstraintsException e) {
        String what = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (what.contains("nesting depth")) {
            return "the nesting depth of " + MAX_DEPTH + " levels";
        }
        if (what.contains("token count")) {
            return "the " + MAX_TOKENS + " JSON tokens allowed";
        }
        if (what.contains("name length")) {
            return "the longest member name allowed";
        }
        return "the longest value allowed";
    }

    /** The body as a tree; an empty body is an empty object, as AWS treats it. */
    public static JsonNode parse(byte[] body, ObjectMapper mapper) {
        if (body.length == 0) {
            return mapper.createObjectNode();
        }
        try (JsonParser parser = BOUNDED.createParser(body)) {
            JsonNode tree = mapper.readTree(parser);
            if (tree == null || parser.nextToken() != null) {
                throw new ApiException.Invalid("SerializationException", "Request body must be one JSON object");
            }
            return tree;
        } catch (StreamConstraintsException e) {
            throw new ApiException.Invalid("SerializationException", "Request body exceeds " + limitHit(e));
        } catch (MismatchedInputException e) {
            // no value at all, or a second one after it
            throw new ApiException.Invalid("SerializationException", "Request body must be one JSON object");
        } catch (JacksonException e) {
            // Jackson's parse messages quote at most a short token; clipped again to be sure.
            String where = e.getLocation() == null
                    ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")";
            throw new ApiException.Invalid(
                    "SerializationException",
                    "Malformed request body" + where + ": " + Validation.clip(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ApiException.Invalid("SerializationException", "Unreadable request body");
        }
    }
}
