package dev.patchtide.server.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Binds a well-formed request body straight from its bytes to the action's request record, skipping the JSON tree
 * that {@link RequestJson#parse} builds and {@link ApiRouter#bind} walks and binds again (a fifth of a scan report's
 * request path in a profile). Only the clean case is taken here: a body that breaks a bound, is not one JSON object,
 * holds text the database cannot store, or does not bind gives {@link Optional#empty()}, and the caller takes the
 * tree path, which reports that problem exactly as before (same checks, same order, same messages). The bounds and
 * well-formedness are checked by the binding parser itself (it reads to the end); the storable text by the body's
 * bytes where they show it ({@link #plainText}), else by a token pass.
 */
final class DirectBind {
    private final ObjectMapper mapper;
    private final Map<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();

    DirectBind(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The bound request, or empty: the tree path decides (and names) what is wrong. */
    <Q> Optional<Q> bind(byte[] body, Class<Q> type) {
        if (body.length == 0 || !(plainText(body) || storableAndWellFormed(body))) {
            return Optional.empty();
        }
        ObjectReader reader = readers.computeIfAbsent(type, mapper::readerFor);
        try (JsonParser parser = RequestJson.BOUNDED.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            Q request = reader.readValue(parser);
            if (request == null || parser.nextToken() != null) {
                return Optional.empty();
            }
            return Optional.of(request);
        } catch (IOException | RuntimeException notClean) {
            return Optional.empty();
        }
    }

    /**
     * True if no text in the body can decode to NUL or to half a surrogate pair, judged from its bytes alone: no
     * backslash-u escape, no NUL byte, and no lead byte of a sequence that could encode a surrogate or an overlong
     * form (C0, C1, E0, ED, F0, F4 and above). Other escapes and UTF-8 sequences decode to neither (a four-byte one
     * from F1–F3 to a whole pair). Nearly every body is such; the others get the token pass below.
     */
    static boolean plainText(byte[] body) {
        for (int i = 0; i < body.length; i++) {
            int b = body[i] & 0xFF;
            if (b == '\\') {
                if (i + 1 < body.length && body[i + 1] == 'u') {
                    return false;
                }
                i++; // the escaped character, which may itself be a backslash
            } else if (b == 0 || b == 0xC0 || b == 0xC1 || b == 0xE0 || b == 0xED || b == 0xF0 || b >= 0xF4) {
                return false;
            }
        }
        return true;
    }

    /**
     * One pass over the tokens, under the same bounds as the tree path: true if the body is well-formed JSON whose
     * member names and strings PostgreSQL can all store ({@link StorableText#storable}). The text is checked where
     * the parser decoded it, so no string is built for the check.
     */
    static boolean storableAndWellFormed(byte[] body) {
        try (JsonParser parser = RequestJson.BOUNDED.createParser(body)) {
            for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
                if ((t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME)
                        && !StorableText.storable(
                                parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength())) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException malformed) {
            return false;
        }
    }
}
