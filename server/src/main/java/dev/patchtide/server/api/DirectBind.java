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
 * tree path, which reports that problem exactly as before (same checks, same order, same messages).
 */
final class DirectBind {
    private final ObjectMapper mapper;
    private final Map<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();

    DirectBind(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The bound request, or empty: the tree path decides (and names) what is wrong. */
    <Q> Optional<Q> bind(byte[] body, Class<Q> type) {
        if (body.length == 0 || !storableAndWellFormed(body)) {
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
