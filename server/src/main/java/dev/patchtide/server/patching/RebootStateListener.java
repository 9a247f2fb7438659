package dev.patchtide.server.patching;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Told, inside the transaction that stores a patch evaluation, that an instance waits for a reboot (on every
 * evaluation while it does: scans and re-evaluations), and once when a pending reboot has cleared. Kept apart
 * from {@link ComplianceStateListener}, which hears of compliance status changes only.
 */
@FunctionalInterface
public interface RebootStateListener {
    RebootStateListener NONE = (handle, state) -> {};

    void rebootState(Handle handle, RebootState state);

    /**
     * @param rebootPending the scan reported a required reboot or patches installed pending reboot
     * @param packages the packages the agent named as waiting for the reboot
     */
    record RebootState(String instanceId, boolean rebootPending, List<String> packages, Instant time) {}
}
