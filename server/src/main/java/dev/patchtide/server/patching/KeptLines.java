package dev.patchtide.server.patching;

import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.Inventory;
import dev.patchtide.server.patching.ScanMessages.ReportedPatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The inventory lines a judged update list named, kept on the state row beside the kept installed judgement
 * ({@link KeptJudgement}): {@code names} are the update list's package names (sorted, one a line; some may name
 * no installed package, which is itself kept knowledge), {@code lines} the inventory's canonical lines with those
 * names. A later report judged with the kept part whose updates name only packages among them needs nothing
 * else of the inventory, so it reads none: the usual case when a day passes or an update's version moves. A
 * report whose updates name a package not among them reads the inventory's lines for its names.
 */
record KeptLines(String names, String lines) {

    /** Reports whose named packages came from kept lines, no inventory read, in this JVM: for tests. */
    static final java.util.concurrent.atomic.LongAdder USED = new java.util.concurrent.atomic.LongAdder();

    /**
     * What to keep after judging {@code patches} against {@code inventory} (the whole inventory, or at least its
     * packages with the patches' names); empty without an inventory hash, or when a name could not be told apart
     * in the stored list (empty, or holding the separator), so that such a list is never taken as covered.
     */
    static Optional<KeptLines> of(
            List<ReportedPatch> patches, Optional<String> inventoryHash, List<InstalledPackage> inventory) {
        if (inventoryHash.isEmpty()) {
            return Optional.empty();
        }
        Optional<Set<String>> names = names(patches);
        if (names.isEmpty()) {
            return Optional.empty();
        }
        Set<String> named = names.get();
        List<InstalledPackage> lines = new ArrayList<>();
        for (InstalledPackage p : inventory) {
            if (named.contains(p.name())) {
                lines.add(p);
            }
        }
        return Optional.of(new KeptLines(String.join("\n", named), Inventory.canonical(lines)));
    }

    /** The distinct names of an update list, sorted; empty if one is absent, empty or holds a line break. */
    static Optional<Set<String>> names(List<ReportedPatch> patches) {
        Set<String> names = new TreeSet<>();
        for (ReportedPatch p : patches) {
            String name = p.name();
            if (name == null || name.isEmpty() || name.indexOf('\n') >= 0) {
                return Optional.empty();
            }
            names.add(name);
        }
        return Optional.of(names);
    }

    /** The kept lines' packages with these names, in canonical order. */
    static List<InstalledPackage> packages(String lines, Set<String> names) {
        return Inventory.parse(lines).stream()
                .filter(p -> names.contains(p.name()))
                .toList();
    }
}
