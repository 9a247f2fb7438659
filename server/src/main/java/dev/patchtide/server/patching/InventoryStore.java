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

    /**
     * Of each inventory, only the packages with the given names: what a changed report with a kept installed
     * judgement needs (see {@link KeptJudgement}). Each of these hashes is the one its report's state row, locked
     * FOR UPDATE by the caller, already refers to, so the row cannot be removed meanwhile (the foreign key and the
     * sweeper's NOT EXISTS both see that reference) and is read without a row lock, which would cost a heap write
     * per report. A stored inventory is searched in its text, not unpacked whole; one unpacked already is not read.
     */
    Map<String, List<InstalledPackage>> findNamed(Handle h, Map<String, Set<String>> namesByHash) {
        Map<String, List<InstalledPackage>> out = new HashMap<>();
        List<String> toRead = new ArrayList<>();
        namesByHash.forEach((hash, names) -> cache.get(hash)
                .ifPresentOrElse(
                        inventory -> out.put(
                                hash,
                                inventory.stream()
                                        .filter(p -> names.contains(p.name()))
                                        .toList()),
                        () -> toRead.add(hash)));
        if (toRead.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT inventory_hash, packages_gzip FROM installed_inventories WHERE inventory_hash = ANY(:hashes)")
                .bind("hashes", PatchStateRows.texts(toRead))
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getBytes(2)))
                .forEach(row -> out.put(
                        row.getKey(), Inventory.named(gunzip(row.getValue()), namesByHash.get(row.getKey()))));
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
