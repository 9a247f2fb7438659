package dev.patchtide.server.commands;

/**
 * MaxConcurrency and MaxErrors worked out against a command's target count. A percentage of concurrency rounds up
 * (never below one running), a percentage of errors rounds down: the safer side of each.
 */
record RateLimits(int concurrency, int errors) {
    static final String DEFAULT_CONCURRENCY = "50";
    static final String DEFAULT_ERRORS = "0";

    static RateLimits of(String maxConcurrency, String maxErrors, int targets) {
        int concurrency = maxConcurrency.endsWith("%")
                ? (int) Math.ceil(percent(maxConcurrency) * targets / 100.0)
                : Integer.parseInt(maxConcurrency);
        int errors = maxErrors.endsWith("%")
                ? (int) Math.floor(percent(maxErrors) * targets / 100.0)
                : Integer.parseInt(maxErrors);
        return new RateLimits(Math.max(1, concurrency), errors);
    }

    private static int percent(String value) {
        return Integer.parseInt(value.substring(0, value.length() - 1));
    }
}
