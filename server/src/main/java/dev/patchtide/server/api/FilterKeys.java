package dev.patchtide.server.api;

import java.util.HashSet;
import java.util.Set;

/**
 * Refuses a filter key given twice in one list/describe request. Two filters on one key would silently
 * merge (or the last would win); SSM answers the action's own invalid-filter error instead, so a script
 * learns that its second filter was not applied as it meant.
 */
public final class FilterKeys {
    private final String errorCode;
    private final Set<String> seen = new HashSet<>();

    /** {@code errorCode} is the action's own filter error (InvalidFilterKey, InvalidFilter, ValidationException). */
    public FilterKeys(String errorCode) {
        this.errorCode = errorCode;
    }

    public void once(String key) {
        if (key != null && !seen.add(key)) {
            throw new ApiException.Invalid(errorCode, "The filter key " + key + " is given twice.");
        }
    }
}
