package dev.patchtide.server.patching;

import dev.patchtide.core.patching.InstalledPackage;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Unpacked inventories by hash, the least recently used dropped first once the packages held pass a budget.
 * Hosts built from one image share an inventory, and a changed scan report of any of them would otherwise
 * unzip and parse the same ~1,500 packages again. An inventory's content never changes under its hash, so
 * entries need no invalidation.
 */
final class InventoryCache {
    private final long maxPackages;
    private final LinkedHashMap<String, List<InstalledPackage>> byHash = new LinkedHashMap<>(256, 0.75f, true);
    private long packages;

    InventoryCache(long maxPackages) {
        this.maxPackages = maxPackages;
    }

    synchronized Optional<List<InstalledPackage>> get(String hash) {
        return Optional.ofNullable(byHash.get(hash));
    }

    synchronized void put(String hash, List<InstalledPackage> inventory) {
        if (inventory.size() > maxPackages || byHash.containsKey(hash)) {
            return;
        }
        byHash.put(hash, List.copyOf(inventory));
        packages += inventory.size();
        Iterator<Map.Entry<String, List<InstalledPackage>>> eldest =
                byHash.entrySet().iterator();
        while (packages > maxPackages && eldest.hasNext()) {
            packages -= eldest.next().getValue().size();
            eldest.remove();
        }
    }
}
