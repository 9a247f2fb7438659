package dev.patchtide.server.patching;

import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.Inventory;
import java.io.ByteArrayInputStream;
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
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.jdbi.v3.core.Handle;

/**
 * Installed inventories, one gzip-compressed row per distinct content, shared by every instance with the
 * same packages. A row no instance refers to any more is removed by the scan that moved away from it.
 */
final class InventoryStore {
    /** Pieces of stored inventories read by {@link #findNamed} (each a slice of one), in this JVM: for tests. */
    static final java.util.concurrent.atomic.LongAdder SLICES = new java.util.concurrent.atomic.LongAdder();

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
     * installed judgement needs (see {@link KeptJudgement}), by instance id. The names the instance's kept lines
     * ({@link KeptLines}) cover are taken from those; the others from the inventory unpacked here already, else
     * from the stored inventory: only the members that hold them where it is stored in pieces
     * ({@link InventoryPieces}: a second statement for the whole list, reading a slice of each inventory), else
     * the whole text, searched, not unpacked whole. Each inventory is the one its report's state row, locked FOR
     * UPDATE by the caller, already refers to, so it cannot be removed meanwhile (the foreign key and the
     * sweeper's NOT EXISTS both see that reference) and is read without a row lock, which would cost a heap write
     * per report. An instance whose packages are not found is not returned.
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
        Map<String, List<InstalledPackage>> unpacked = new HashMap<>();
        for (Named r : reports) {
            byId.put(r.instanceId(), r);
            ids.add(r.instanceId());
            names.add(r.listed());
            Optional<List<InstalledPackage>> inCache = cache.get(r.inventoryHash());
            inCache.ifPresent(packages -> unpacked.put(r.inventoryHash(), packages));
            cached.add(inCache.isPresent());
        }
        // The whole stored text only where it is needed: some name not covered by the kept lines, the inventory
        // not unpacked here, and no piece index (stored before V46). NULL kept names cover nothing.
        List<Pieces> wanted = new ArrayList<>();
        h.createQuery("SELECT n.id, s.installed_names, s.installed_lines, i.inventory_hash IS NOT NULL, i.piece_index,"
                        + " CASE WHEN n.cached OR i.piece_index IS NOT NULL OR coalesce(s.installed_names"
                        + " @> string_to_array(n.names, E'\\n'), false) THEN NULL ELSE i.packages_gzip END"
                        + " FROM unnest(:ids, :names, :cached) AS n(id, names, cached)"
                        + " JOIN instance_patch_states s ON s.instance_id = n.id"
                        + " LEFT JOIN installed_inventories i ON i.inventory_hash = s.inventory_hash")
                .bind("ids", PatchStateRows.texts(ids))
                .bind("names", PatchStateRows.texts(names))
                .bind("cached", PatchStateRows.booleans(cached))
                .map((rs, ctx) -> new NamedRow(
                        rs.getString(1),
                        rs.getString(3) == null ? Set.of() : keptNames(rs.getArray(2)),
                        rs.getString(3),
                        rs.getBoolean(4),
                        InventoryPieces.Index.parse(rs.getString(5)),
                        rs.getBytes(6)))
                .forEach(row -> {
                    Named r = byId.get(row.id());
                    Set<String> covered = new TreeSet<>(r.names());
                    covered.retainAll(row.keptNames());
                    List<InstalledPackage> found = new ArrayList<>();
                    if (!covered.isEmpty()) {
                        found.addAll(KeptLines.packages(row.keptLines(), covered));
                    }
                    Set<String> rest = new TreeSet<>(r.names());
                    rest.removeAll(covered);
                    if (rest.isEmpty()) {
                        KeptLines.USED.increment();
                        out.put(r.instanceId(), found);
                        return;
                    }
                    List<InstalledPackage> inCache = unpacked.get(r.inventoryHash());
                    if (inCache != null) {
                        inCache.stream().filter(p -> rest.contains(p.name())).forEach(found::add);
                    } else if (row.gzip() != null) {
                        found.addAll(Inventory.named(gunzip(row.gzip()), rest));
                    } else if (row.stored() && row.index().isPresent()) {
                        wanted.add(new Pieces(r, row.index().get(), rest, found));
                        return;
                    } else {
                        return; // the inventory is gone
                    }
                    out.put(r.instanceId(), Inventory.sorted(found));
                });
        readPieces(h, wanted).forEach((id, packages) -> out.put(id, packages));
        return out;
    }

    /** What the first statement of {@link #findNamed} read for one report. */
    private record NamedRow(
            String id,
            Set<String> keptNames,
            String keptLines,
            boolean stored,
            Optional<InventoryPieces.Index> index,
            byte[] gzip) {}

    /** A report whose {@code rest} of names is read from its inventory's pieces, added to {@code found}. */
    private record Pieces(Named report, InventoryPieces.Index index, Set<String> rest, List<InstalledPackage> found) {}

    private static Set<String> keptNames(java.sql.Array names) throws java.sql.SQLException {
        if (names == null) {
            return Set.of();
        }
        return new java.util.HashSet<>(java.util.Arrays.asList((String[]) names.getArray()));
    }

    /** The members that hold the reports' other names, one slice each, unzipped and searched. */
    private static Map<String, List<InstalledPackage>> readPieces(Handle h, List<Pieces> reports) {
        Map<String, List<InstalledPackage>> out = new HashMap<>();
        if (reports.isEmpty()) {
            return out;
        }
        List<String> hashes = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        List<Set<String>> namesOfSlice = new ArrayList<>();
        for (int k = 0; k < reports.size(); k++) {
            Pieces p = reports.get(k);
            Map<Integer, Set<String>> byPiece = new java.util.TreeMap<>();
            for (String name : p.rest()) {
                byPiece.computeIfAbsent(p.index().pieceOf(name), i -> new TreeSet<>())
                        .add(name);
            }
            for (Map.Entry<Integer, Set<String>> e : byPiece.entrySet()) {
                hashes.add(p.report().inventoryHash());
                starts.add(p.index().start(e.getKey()) + 1); // substring counts from 1
                lengths.add(p.index().length(e.getKey()));
                owners.add(k);
                namesOfSlice.add(e.getValue());
            }
        }
        List<Integer> missing = new ArrayList<>();
        boolean[] read = new boolean[hashes.size()];
        h.createQuery("SELECT n.k, substring(i.packages_gzip FROM n.start FOR n.length)"
                        + " FROM unnest(:hashes, :starts, :lengths) WITH ORDINALITY AS n(hash, start, length, k)"
                        + " JOIN installed_inventories i ON i.inventory_hash = n.hash")
                .bind("hashes", PatchStateRows.texts(hashes))
                .bind("starts", PatchStateRows.integers(starts))
                .bind("lengths", PatchStateRows.integers(lengths))
                .map((rs, ctx) -> Map.entry(rs.getInt(1) - 1, rs.getBytes(2)))
                .forEach(slice -> {
                    int s = slice.getKey();
                    read[s] = true;
                    SLICES.increment();
                    reports.get(owners.get(s))
                            .found()
                            .addAll(Inventory.named(gunzip(slice.getValue()), namesOfSlice.get(s)));
                });
        for (int s = 0; s < read.length; s++) {
            if (!read[s]) {
                missing.add(owners.get(s));
            }
        }
        for (int k = 0; k < reports.size(); k++) {
            if (!missing.contains(k)) {
                Pieces p = reports.get(k);
                out.put(p.report().instanceId(), Inventory.sorted(p.found()));
            }
        }
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
        List<String> indexes = new ArrayList<>();
        for (Canonical inventory : inventories) {
            hashes.add(inventory.hash());
            counts.add(inventory.packages().size());
            InventoryPieces.Packed packed = InventoryPieces.pack(inventory.text());
            // As base64 text: one array parameter for the whole batch, decoded by PostgreSQL.
            blobs.add(Base64.getEncoder().encodeToString(packed.gzip()));
            indexes.add(packed.index());
        }
        // The insert skips a row that exists; if a sweeper deletes that row before our lock, insert it again.
        for (int attempt = 1; ; attempt++) {
            h.createUpdate("INSERT INTO installed_inventories (inventory_hash, package_count, packages_gzip,"
                            + " piece_index, created_at) SELECT u.hash, u.count, decode(u.blob, 'base64'), u.index,"
                            + " :now FROM unnest(:hashes, :counts, :blobs, :indexes) AS u(hash, count, blob, index)"
                            + " ORDER BY 1 ON CONFLICT (inventory_hash) DO NOTHING")
                    .bind("hashes", PatchStateRows.texts(hashes))
                    .bind("counts", PatchStateRows.integers(counts))
                    .bind("blobs", PatchStateRows.texts(blobs))
                    .bind("indexes", PatchStateRows.texts(indexes))
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

    private static String gunzip(byte[] gzip) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("stored inventory is not gzip", e);
        }
    }
}
