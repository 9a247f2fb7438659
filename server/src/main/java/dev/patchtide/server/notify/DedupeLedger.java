package dev.patchtide.server.notify;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.Handle;

/**
 * Decides, in the fan-out transaction, whether a message is news for a subscription with a
 * {@link DedupePolicy}: the first message for a key is; a message with the same condition value is
 * not, unless the reminder period has passed since the last one sent; a changed value is.
 */
final class DedupeLedger {
    private DedupeLedger() {}

    static boolean shouldNotify(
            Handle h, String subscriptionArn, DedupePolicy policy, String key, String condition, Instant clockNow) {
        // PostgreSQL keeps microseconds (rounding the rest), so compare at that precision.
        Instant now = clockNow.truncatedTo(ChronoUnit.MICROS);
        int inserted = h.createUpdate("INSERT INTO sns_dedupe_state (subscription_arn, dedupe_key, condition_value,"
                        + " notified_at) VALUES (:sub, :key, :condition, :now) ON CONFLICT DO NOTHING")
                .bind("sub", subscriptionArn)
                .bind("key", key)
                .bind("condition", condition)
                .bind("now", now)
                .execute();
        if (inserted == 1) {
            return true;
        }
        record Last(String condition, Instant notifiedAt) {}
        Last last = h.createQuery("SELECT condition_value, notified_at FROM sns_dedupe_state"
                        + " WHERE subscription_arn = :sub AND dedupe_key = :key FOR UPDATE")
                .bind("sub", subscriptionArn)
                .bind("key", key)
                .map((rs, ctx) -> new Last(rs.getString(1), rs.getTimestamp(2).toInstant()))
                .one();
        boolean changed = !last.condition().equals(condition);
        boolean reminderDue = policy.remindAfter()
                .map(period -> !last.notifiedAt().plus(period).isAfter(now))
                .orElse(false);
        if (!changed && !reminderDue) {
            return false;
        }
        h.createUpdate("UPDATE sns_dedupe_state SET condition_value = :condition, notified_at = :now"
                        + " WHERE subscription_arn = :sub AND dedupe_key = :key")
                .bind("sub", subscriptionArn)
                .bind("key", key)
                .bind("condition", condition)
                .bind("now", now)
                .execute();
        return true;
    }

    static void forget(Handle h, String subscriptionArn) {
        h.createUpdate("DELETE FROM sns_dedupe_state WHERE subscription_arn = :sub")
                .bind("sub", subscriptionArn)
                .execute();
    }
}
