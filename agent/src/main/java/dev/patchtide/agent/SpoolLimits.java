package dev.patchtide.agent;

/**
 * How much the agent keeps while the server is away: at most {@code maxEntries} scan reports and {@code maxBytes}
 * of them (a single report larger than that is still kept, alone). The oldest go first; command results are not
 * counted here: the command journal keeps every one of them until the server takes it.
 */
public record SpoolLimits(long maxBytes, int maxEntries) {
    public static final SpoolLimits DEFAULTS = new SpoolLimits(64L * 1024 * 1024, 1000);

    public SpoolLimits {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("spool maxBytes cannot be less than 1024");
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("spool maxEntries cannot be less than 1");
        }
    }
}
