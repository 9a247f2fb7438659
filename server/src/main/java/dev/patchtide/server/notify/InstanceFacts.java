package dev.patchtide.server.notify;

import dev.patchtide.server.notify.RenderedMessage.PatchCounts;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Reads what the fleet knows of instances at render time: their names and missing-patch counts. */
final class InstanceFacts {
    private final Jdbi jdbi;

    InstanceFacts(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    record Known(String name, Optional<PatchCounts> counts) {}

    Map<String, Known> lookup(List<String> instanceIds) {
        Map<String, Known> known = new HashMap<>();
        if (instanceIds.isEmpty()) {
            return known;
        }
        jdbi.useHandle(h -> h.createQuery("SELECT i.instance_id, i.name, i.computer_name, s.missing_count,"
                        + " s.critical_non_compliant_count, s.security_non_compliant_count, s.reboot_required,"
                        + " s.instance_id IS NOT NULL AS scanned FROM managed_instances i"
                        + " LEFT JOIN instance_patch_states s ON s.instance_id = i.instance_id"
                        + " WHERE i.instance_id = ANY(:ids)")
                .bindArray("ids", String.class, instanceIds)
                .map((rs, ctx) -> {
                    String name = rs.getString("name");
                    if (name == null || name.isBlank()) {
                        name = Optional.ofNullable(rs.getString("computer_name"))
                                .orElse("");
                    }
                    Optional<PatchCounts> counts = rs.getBoolean("scanned")
                            ? Optional.of(new PatchCounts(
                                    rs.getInt("missing_count"),
                                    rs.getInt("critical_non_compliant_count"),
                                    rs.getInt("security_non_compliant_count"),
                                    rs.getBoolean("reboot_required")))
                            : Optional.empty();
                    return Map.entry(rs.getString("instance_id"), new Known(name, counts));
                })
                .forEach(e -> known.put(e.getKey(), e.getValue())));
        return known;
    }
}
