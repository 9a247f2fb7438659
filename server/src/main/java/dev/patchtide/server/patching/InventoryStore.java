package dev.patchtide.server.patching;

import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.Inventory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jdbi.v3.core.Handle;

/**
 * Installed inventories, one gzip-compressed row per distinct content, shared by every instance with the
 * same packages. A row no instance refers to any more is removed by the scan that moved away from it.
 */
final class InventoryStore {
    /** About 130 hosts' worth of ~1,500 packages: some tens of MB. */
    private final InventoryCache cache = new InventoryCache(200_000);

    /**
     * The inventories with these hashes that the server holds, share-locked so that none can be removed before
     * this transaction ends.
     */
    Map<String, List<InstalledPackage>> findAll(Handle h, Collection<String> hashes) {
        Map<String, List<InstalledPackage>> out = new HashMap<>();
        if (hashes.isEmpty()) {
            return out;
        }
        List<String> cached =
                hashes.stream().filter(hash -> cache.get(hash).isPresent()).toList();
        // Every row is locked; only those not unpacked already are read. A hash whose row is gone (removed
        // meanwhile) is not returned, even if cached.
        h.createQuery("SELECT inventory_hash, CASE WHEN inventory_hash = ANY(:cached) THEN NULL ELSE packages_gzip"
                        + " END FROM installed_inventories WHERE inventory_hash = ANY(:hashes) ORDER BY inventory_hash"
                        + " FOR KEY SHARE")
                .bind("hashes", PatchStateRows.texts(new ArrayList<>(hashes)))
                .bind("cached", PatchStateRows.texts(cached))
                .map((rs, ctx) -> Map.entry(rs.getString(1), Optional.ofNullable(rs.getBytes(2))))
                .forEach(row -> out.put(
                        row.getKey(),
                        row.getValue()
                                .map(gzip -> unpack(row.getKey(), gzip))
                                .or(() -> cache.get(row.getKey()))
                                .or(() -> read(h, row.getKey()))
                                .orElseThrow()));
        return out;
    }

    /** A report judged with its kept installed part: its instance, inventory and update list's names. */
    record Named(String instanceId, String inventoryHash, Set<String> names) {
        /** The names as kept lines list them, or null when one cannot be listed so (see {@link KeptLines}). */
        String listed() {
            boolean listable = names.stream().noneMatch(n -> n == null || n.isEmpty() || n.indexOf('\n') >= 0);
            return listable ? String.join("\n", names) : null;
        }
    }

    /**
     * For each report, only its inventory's packages with the given names: what a changed report with a kept
     * installed judgement needs (see {@link KeptJudgement}), by instance id. One statement for all: where the
     * instance's kept lines ({@link KeptLines}) cover the names, those are read and the inventory is not; else the
     * inventory's text is read (unless unpacked here already) and searched, not unpacked whole. Each inventory is
     * the one its report's state row, locked FOR UPDATE by the caller, already refers to, so it cannot be removed
     * meanwhile (the foreign key and the sweeper's NOT EXISTS both see that reference) and is read without a row
     * lock, which would cost a heap write per report. An instance whose packages are not found is not returned.
     */
    Map<String, List<InstalledPackage>> findNamed(Handle h, List<Named> reports) {
        Map<String, List<InstalledPackage>> out = new HashMap<>();
        if (reports.isEmpty()) {
            return out;
        }
        Map<String, Named> byId = new HashMap<>();
        List<String> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Boolean> cached = new ArrayList<>();
        for (Named r : reports) {
            byId.put(r.instanceId(), r);
            ids.add(r.instanceId());
            names.add(r.listed());
            cached.add(cache.get(r.inventoryHash()).isPresent());
        }
        // NULL kept names (none kept, or a name that could not be kept) cover nothing: the inventory is read.
        h.createQuery("SELECT n.id, CASE WHEN k.covered THEN s.installed_lines END, CASE WHEN k.covered OR n.cached"
                        + " THEN NULL ELSE i.packages_gzip END FROM unnest(:ids, :names, :cached) AS n(id, names, cached)"
                        + " JOIN instance_patch_states s ON s.instance_id = n.id"
                        + " LEFT JOIN installed_inventories i ON i.inventory_hash = s.inventory_hash,"
                        + " LATERAL (SELECT coalesce(s.installed_names @> string_to_array(n.names, E'\\n'), false)"
                        + " AS covered) AS k")
                .bind("ids", PatchStateRows.texts(ids))
                .bind("names", PatchStateRows.texts(names))
                .bind("cached", PatchStateRows.booleans(cached))
                .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getString(2), rs.getBytes(3)})
                .forEach(row -> {
                    Named r = byId.get((String) row[0]);
                    Optional<List<InstalledPackage>> found;
                    if (row[1] != null) {
                        KeptLines.USED.increment();
                        found = Optional.of(KeptLines.packages((String) row[1], r.names()));
                    } else if (row[2] != null) {
                        found = Optional.of(Inventory.named(gunzip((byte[]) row[2]), r.names()));
                    } else {
                        found = cache.get(r.inventoryHash()).map(inventory -> inventory.stream()
                                .filter(p -> r.names().contains(p.name()))
                                .toList());
                    }
                    found.ifPresent(packages -> out.put(r.instanceId(), packages));
                });
        return out;
    }

    private List<InstalledPackage> unpack(String hash, byte[] gzip) {
        List<InstalledPackage> inventory = Inventory.parse(gunzip(gzip));
        cache.put(hash, inventory);
        return inventory;
    }

    /** Reads without locking, for listings. */
    Optional<List<InstalledPackage>> read(Handle h, String hash) {
        return cache.get(hash)
                .or(() -> h.createQuery("SELECT packages_gzip FROM installed_inventories WHERE inventory_hash = :hash")
                        .bind("hash", hash)
                        .mapTo(byte[].class)
                        .findOne()
                        .map(gzip -> unpack(hash, gzip)));
    }

    /**
     * An inventory with its canonical text and that text's hash, computed once for checking and storing. The
     * packages in the text's order, as a stored one reads back: every judgement sees an inventory in one order.
     */
    record Canonical(List<InstalledPackage> packages, String text, String hash) {
        static Canonical of(List<InstalledPackage> packages) {
            List<InstalledPackage> sorted = Inventory.sorted(packages);
            String text = Inventory.canonical(sorted);
            return new Canonical(List.copyOf(sorted), text, Inventory.sha256(text));
        }
    }

    /** Stores the inventories that are new, and share-locks all of them, as {@link #findAll} does. */
    void putAll(Handle h, Collection<Canonical> inventories, Instant now) {
        if (inventories.isEmpty()) {
            return;
        }
        List<String> hashes = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        List<String> blobs = new ArrayList<>();
        for (Canonical inventory : inventories) {
            hashes.add(inventory.hash());
            counts.add(inventory.packages().size());
            // As base64 text: one array parameter for the whole batch, decoded by PostgreSQL.
            blobs.add(Base64.getEncoder().encodeToString(gzip(inventory.text())));
        }
        // The insert skips a row that exists; if a sweeper deletes that row before our lock, insert it again.
        for (int attempt = 1; ; attempt++) {
            h.createUpdate("INSERT INTO installed_inventories (inventory_hash, package_count, packages_gzip,"
                            + " created_at) SELECT u.hash, u.count, decode(u.blob, 'base64'), :now"
                            + " FROM unnest(:hashes, :counts, :blobs) AS u(hash, count, blob) ORDER BY 1"
                            + " ON CONFLICT (inventory_hash) DO NOTHING")
                    .bind("hashes", PatchStateRows.texts(hashes))
                    .bind("counts", PatchStateRows.integers(counts))
                    .bind("blobs", PatchStateRows.texts(blobs))
                    .bind("now", now)
                    .execute();
            int locked = h.createQuery("SELECT count(*) FROM (SELECT 1 FROM installed_inventories"
                            + " WHERE inventory_hash = ANY(:hashes) ORDER BY inventory_hash FOR KEY SHARE) AS l")
                    .bind("hashes", PatchStateRows.texts(hashes))
                    .mapTo(Integer.class)
                    .one();
            if (locked == hashes.size()) {
                break;
            }
            if (attempt == 3) {
                throw new IllegalStateException("an inventory kept vanishing while it was being stored");
            }
        }
        inventories.forEach(inventory -> cache.put(inventory.hash(), inventory.packages()));
    }

    /**
     * Removes the inventory if no instance refers to it. A concurrent scan that just share-locked it makes
     * the foreign key refuse; that is fine, the row is in use again, so the refusal is rolled back alone.
     */
    void releaseIfUnused(Handle h, String hash) {
        h.savepoint("release_inventory");
        try {
            h.createUpdate("DELETE FROM installed_inventories i WHERE inventory_hash = :hash AND NOT EXISTS"
                            + " (SELECT 1 FROM instance_patch_states s WHERE s.inventory_hash = i.inventory_hash)")
                    .bind("hash", hash)
                    .execute();
            h.releaseSavepoint("release_inventory");
        } catch (RuntimeException inUse) {
            h.rollbackToSavepoint("release_inventory");
        }
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // The fastest level: an inventory is stored once but compressed on every host's first report, and
        // level 1 takes a fraction of the default's time for a somewhat larger row.
        try (GZIPOutputStream gz = new GZIPOutputStream(out) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String gunzip(byte[] gzip) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("stored inventory is not gzip", e);
        }
    }
}
