package dev.patchtide.server.workflows;

import dev.patchtide.server.workflows.MachineStore.Machine;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * StartExecution's look-up of STANDARD machines by ARN, kept in memory (the most recently used {@value #KEPT}) so
 * that a start needs no connection of its own before its group. A kept machine may have been updated, deleted or
 * marked deleting since: {@link StartWriter} checks its revision and status in the group's transaction, holding
 * the row, and a start from an outdated copy comes back stale and looks again. Version ARNs and EXPRESS machines are
 * not kept (nothing checks them later), so they are looked up every time, as before.
 */
final class KnownMachines {
    private static final int KEPT = 256;

    private final Jdbi jdbi;
    private final MachineApi machines;
    private final Map<String, Machine> kept = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Machine> eldest) {
            return size() > KEPT;
        }
    };

    KnownMachines(Jdbi jdbi, MachineApi machines) {
        this.jdbi = jdbi;
        this.machines = machines;
    }

    /** The machine {@code arn} names; with {@code fresh}, read from the database whatever is kept. */
    Machine find(String arn, boolean fresh) {
        if (!fresh) {
            synchronized (kept) {
                Machine known = kept.get(arn);
                if (known != null) {
                    return known;
                }
            }
        }
        Machine found = jdbi.withHandle(h -> machines.find(h, arn));
        boolean keep = found.type().equals("STANDARD") && found.version().isEmpty() && "ACTIVE".equals(found.status());
        synchronized (kept) {
            if (keep) {
                kept.put(arn, found);
            } else {
                kept.remove(arn);
            }
        }
        return found;
    }
}
