package dev.patchtide.server.workflows;

import dev.patchtide.workflow.definition.Definitions;
import dev.patchtide.workflow.definition.InvalidDefinition;
import dev.patchtide.workflow.run.Interpreter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The interpreters of stored definitions, by revision. A revision never changes, so a parsed one is kept (the most
 * recently used {@value #KEPT}): a step then costs no parse of a definition of up to 1 MiB.
 */
final class Engines {
    private static final int KEPT = 256;

    private final Map<String, Interpreter> parsed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Interpreter> eldest) {
            return size() > KEPT;
        }
    };

    /** The revision's interpreter when it is kept; a caller with no connection open yet then needs none. */
    java.util.Optional<Interpreter> cached(String revisionId) {
        synchronized (parsed) {
            return java.util.Optional.ofNullable(parsed.get(revisionId));
        }
    }

    Interpreter forRevision(Handle handle, String revisionId) {
        synchronized (parsed) {
            Interpreter known = parsed.get(revisionId);
            if (known != null) {
                return known;
            }
        }
        String definition = handle.createQuery("SELECT definition FROM sfn_revisions WHERE revision_id = :id")
                .bind("id", revisionId)
                .mapTo(String.class)
                .one();
        Interpreter interpreter = of(definition);
        synchronized (parsed) {
            parsed.put(revisionId, interpreter);
        }
        return interpreter;
    }

    /** A stored definition was valid when stored; failing now means the parser changed under it. */
    static Interpreter of(String definition) {
        try {
            return new Interpreter(Definitions.parse(definition));
        } catch (InvalidDefinition e) {
            throw new IllegalStateException("a stored definition no longer parses: " + e.getMessage(), e);
        }
    }
}
