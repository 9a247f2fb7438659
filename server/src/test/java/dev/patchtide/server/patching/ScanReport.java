package dev.patchtide.server.patching;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.Inventory;
import dev.patchtide.server.testing.FakeAgent;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A hand-made Patchtide.PutPatchScanReport for tests: inventory, updates, reboot and failures. */
final class ScanReport {
    final List<InstalledPackage> inventory = new ArrayList<>();
    final List<Map<String, Object>> patches = new ArrayList<>();
    final List<String> rebootPackages = new ArrayList<>();
    final List<String> failed = new ArrayList<>();
    Instant time = Instant.now();
    boolean sendInventory = true;
    String patchesHash;

    ScanReport installed(String name, String version) {
        inventory.add(new InstalledPackage(name, "amd64", version, Optional.empty()));
        return this;
    }

    ScanReport installed(String name, String version, Instant when) {
        inventory.add(new InstalledPackage(name, "amd64", version, Optional.of(when)));
        return this;
    }

    /** An installed package with an update available. */
    ScanReport update(String name, String installed, String available, boolean security, String priority) {
        installed(name, installed);
        return updateOf(name, installed, available, security, priority);
    }

    /** An update for a package the inventory already lists (so the inventory stays the same). */
    ScanReport updateOf(String name, String installed, String available, boolean security, String priority) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("Name", name);
        p.put("Arch", "amd64");
        p.put("InstalledVersion", installed);
        p.put("AvailableVersion", available);
        p.put("Product", "Debian12");
        p.put("Priority", priority);
        p.put("Section", "utils");
        p.put("Security", security);
        p.put("CVEIds", security ? List.of("CVE-2026-0001") : List.of());
        patches.add(p);
        return this;
    }

    ScanReport pendingReboot(String name) {
        rebootPackages.add(name);
        return this;
    }

    ScanReport failed(String name) {
        failed.add(name);
        return this;
    }

    ScanReport at(Instant when) {
        time = when;
        return this;
    }

    ScanReport hashOnly() {
        sendInventory = false;
        return this;
    }

    /** Names the patch list by the hash the server returned instead of sending it. */
    ScanReport patchesByHash(String hash) {
        patchesHash = hash;
        return this;
    }

    String hash() {
        return Inventory.hash(inventory);
    }

    Map<String, Object> body(String instanceId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("InstanceId", instanceId);
        body.put("OperatingSystem", "DEBIAN");
        body.put("Product", "Debian12");
        body.put("OperationStartTime", time.getEpochSecond());
        body.put("OperationEndTime", time.getEpochSecond());
        body.put("InstalledCount", inventory.size());
        body.put("InventoryHash", hash());
        if (sendInventory) {
            body.put("Inventory", inventory.stream().map(ScanReport::entry).toList());
        }
        body.put("RebootRequired", !rebootPackages.isEmpty());
        body.put("RebootRequiredPackages", rebootPackages);
        body.put("FailedPackages", failed);
        if (patchesHash == null) {
            body.put("Patches", patches);
        } else {
            body.put("PatchesHash", patchesHash);
        }
        return body;
    }

    JsonNode send(FakeAgent agent) throws IOException, ApiCallException {
        return agent.client().call("Patchtide.PutPatchScanReport", body(agent.instanceId()));
    }

    private static Map<String, Object> entry(InstalledPackage p) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("Name", p.name());
        e.put("Arch", p.arch());
        e.put("Version", p.version());
        p.installedTime().ifPresent(t -> e.put("InstalledTime", t.getEpochSecond()));
        return e;
    }
}
