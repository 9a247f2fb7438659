package dev.patchtide.server.patching;

import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.Inventory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jdbi.v3.core.Handle;

/**
 * Installed inventories, one gzip-compressed row per distinct content, shared by every instance with the
 * same packages. A row no instance refers to any more is removed by the scan that moved away from it.
 */
final class InventoryStore {

    /** The inventory with this hash, share-locked so that it cannot be removed before this transaction ends. */
    Optional<List<InstalledPackage>> find(Handle h, String hash) {
        return h.createQuery(
                        "SELECT packages_gzip FROM installed_inventories WHERE inventory_hash = :hash FOR KEY SHARE")
                .bind("hash", hash)
                .mapTo(byte[].class)
                .findOne()
                .map(gzip -> Inventory.parse(gunzip(gzip)));
    }

    /** Reads without locking, for listings. */
    Optional<List<InstalledPackage>> read(Handle h, String hash) {
        return h.createQuery("SELECT packages_gzip FROM installed_inventories WHERE inventory_hash = :hash")
                .bind("hash", hash)
                .mapTo(byte[].class)
                .findOne()
                .map(gzip -> Inventory.parse(gunzip(gzip)));
    }

    void put(Handle h, String hash, List<InstalledPackage> packages, Instant now) {
        h.createUpdate("INSERT INTO installed_inventories (inventory_hash, package_count, packages_gzip, created_at)"
                        + " VALUES (:hash, :count, :gzip, :now) ON CONFLICT (inventory_hash) DO NOTHING")
                .bind("hash", hash)
                .bind("count", packages.size())
                .bind("gzip", gzip(Inventory.canonical(packages)))
                .bind("now", now)
                .execute();
        // A concurrent scan may have removed the row between our insert attempt and now; lock what is there.
        find(h, hash).orElseThrow(() -> new IllegalStateException("inventory " + hash + " vanished"));
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
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
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
