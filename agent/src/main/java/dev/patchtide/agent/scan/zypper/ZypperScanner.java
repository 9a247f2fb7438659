package dev.patchtide.agent.scan.zypper;

import dev.patchtide.agent.scan.FileStamp;
import dev.patchtide.core.version.RpmVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * zypper's view of a tree (SLES, openSUSE): the updates {@code zypper update} makes and the patches with their
 * status, from the repositories of {@code etc/zypp/repos.d}, the metadata zypper cached at its last refresh and
 * the rpm database. An update follows zypper's rules: only newer builds (no downgrade), the same vendor (or an
 * equivalent one), no architecture change except to or from noarch, and among the newer builds those of the
 * repository with the highest priority (lowest number) first, then the newest; never for a locked package
 * ({@code etc/zypp/locks}).
 */
public final class ZypperScanner {
    private record Available(ZyppPackage pkg, RpmVersion evr, ZypperRepo repo) {}

    private record Parsed<T>(FileStamp stamp, Set<String> names, List<T> items) {}

    /** Parsed metadata by file, reused while the file is unchanged (zypper renames on refresh) and no new name appeared. */
    private final Map<Path, Parsed<ZyppPackage>> primaries = new HashMap<>();

    private final Map<Path, Parsed<Patch>> updateinfos = new HashMap<>();
    private int filesParsed;

    /** Scans the tree at {@code root}. */
    public synchronized ZypperScan scan(Path root, List<ZyppPackage> installed, List<ZypperRepo> repos)
            throws IOException {
        VendorGroups vendors = VendorGroups.read(root);
        Set<String> names = new HashSet<>();
        installed.forEach(p -> names.add(p.name()));
        Set<Path> present = new HashSet<>();
        List<Available> available = new ArrayList<>();
        List<Patch> patches = new ArrayList<>();
        for (ZypperRepo repo : repos) {
            if (!repo.enabled()) {
                continue;
            }
            Optional<Path> dir = RawMetadata.cacheDir(root, repo.alias());
            if (dir.isEmpty()) {
                continue; // never refreshed: zypper has nothing of it either
            }
            Path primary = RawMetadata.file(dir.get(), repo.alias(), "primary")
                    .orElseThrow(() -> new IOException("repository " + repo.alias() + " has no primary metadata"));
            present.add(primary);
            for (ZyppPackage p : parsed(primaries, primary, names, (f, n) -> RawMetadata.packages(f, n))) {
                available.add(new Available(p, p.evr(), repo));
            }
            Optional<Path> updateinfo = RawMetadata.file(dir.get(), repo.alias(), "updateinfo");
            if (updateinfo.isPresent()) {
                present.add(updateinfo.get());
                // every patch is kept: list-patches --all shows the ones for packages not installed too
                patches.addAll(parsed(
                        updateinfos, updateinfo.get(), Set.of(), (f, n) -> RawMetadata.patches(f, repo.alias())));
            }
        }
        primaries.keySet().retainAll(present);
        updateinfos.keySet().retainAll(present);
        ZypperLocks locks = ZypperLocks.read(root);
        List<ZyppPackage> unlocked =
                installed.stream().filter(p -> !locks.locked(p)).toList();
        // a locked package is never updated, but its patches keep their status (zypper lists them as it does)
        return new ZypperScan(updates(unlocked, available, patches, vendors), statuses(installed, patches));
    }

    private static List<ZypperUpdate> updates(
            List<ZyppPackage> installed, List<Available> available, List<Patch> patches, VendorGroups vendors) {
        Map<String, List<Available>> byName = new HashMap<>();
        available.forEach(a ->
                byName.computeIfAbsent(a.pkg().name(), k -> new ArrayList<>()).add(a));
        // of several installed builds of one name and arch (a multiversion kernel), the newest is the one updated
        Map<String, ZyppPackage> newestInstalled = new HashMap<>();
        for (ZyppPackage p : installed) {
            newestInstalled.merge(
                    p.name() + "." + p.arch(), p, (a, b) -> a.evr().compareTo(b.evr()) >= 0 ? a : b);
        }
        List<ZypperUpdate> updates = new ArrayList<>();
        for (ZyppPackage current : newestInstalled.values()) {
            RpmVersion currentEvr = current.evr();
            List<Available> newer = byName.getOrDefault(current.name(), List.of()).stream()
                    .filter(a -> archChangeAllowed(current.arch(), a.pkg().arch()))
                    .filter(a -> vendors.equivalent(current.vendor(), a.pkg().vendor()))
                    .filter(a -> a.evr().compareTo(currentEvr) > 0)
                    .toList();
            if (newer.isEmpty()) {
                continue;
            }
            int best = newer.stream().mapToInt(a -> a.repo().priority()).min().getAsInt();
            Available chosen = newer.stream()
                    .filter(a -> a.repo().priority() == best)
                    .max(Comparator.comparing((Available a) -> a.pkg().arch().equals(current.arch()))
                            .thenComparing(Available::evr)
                            .thenComparing(a -> a.repo().alias(), Comparator.reverseOrder()))
                    .orElseThrow();
            updates.add(describe(current, chosen, covering(current, chosen, patches)));
        }
        updates.sort(Comparator.comparing(ZypperUpdate::name).thenComparing(ZypperUpdate::arch));
        return updates;
    }

    /** libsolv's rule: no change of architecture, except to or from noarch. */
    static boolean archChangeAllowed(String from, String to) {
        return from.equals(to) || from.equals("noarch") || to.equals("noarch");
    }

    /** Patches naming a build of this package newer than the installed one and not newer than the chosen one. */
    private static List<Patch> covering(ZyppPackage installed, Available chosen, List<Patch> patches) {
        List<Patch> covering = new ArrayList<>();
        for (Patch patch : patches) {
            for (ZyppPackage fixed : patch.packages()) {
                if (fixed.name().equals(installed.name())
                        && archChangeAllowed(installed.arch(), fixed.arch())
                        && fixed.evr().compareTo(installed.evr()) > 0
                        && fixed.evr().compareTo(chosen.evr()) <= 0) {
                    covering.add(patch);
                    break;
                }
            }
        }
        return covering;
    }

    private static ZypperUpdate describe(ZyppPackage installed, Available chosen, List<Patch> patches) {
        Optional<Patch> worst = patches.stream()
                .max(Comparator.comparing((Patch p) -> p.category().equals("security"))
                        .thenComparing(Patch::severityRank));
        Set<String> cves = new LinkedHashSet<>();
        patches.forEach(p -> cves.addAll(p.cves()));
        long issued = patches.stream()
                .mapToLong(Patch::issued)
                .filter(t -> t > 0)
                .min()
                .orElse(0);
        return new ZypperUpdate(
                installed.name(),
                chosen.pkg().arch(),
                installed.edition(),
                chosen.pkg().edition(),
                chosen.repo().alias(),
                worst.map(Patch::classification).orElse(""),
                worst.map(Patch::severityName).orElse(""),
                patches.stream().map(Patch::id).distinct().toList(),
                List.copyOf(cves),
                issued,
                patches.stream().anyMatch(Patch::rebootSuggested));
    }

    /**
     * A patch is needed when an installed package it names is older than its build, applied when the installed
     * ones are all at it or newer, not needed when it names nothing installed; a needed optional or feature patch
     * is "optional", as zypper lists it without {@code --with-optional}.
     */
    private static List<ZypperScan.PatchEntry> statuses(List<ZyppPackage> installed, List<Patch> patches) {
        Map<String, List<ZyppPackage>> byName = new HashMap<>();
        installed.forEach(
                p -> byName.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(p));
        List<ZypperScan.PatchEntry> entries = new ArrayList<>();
        for (Patch patch : patches) {
            boolean relevant = false;
            boolean needed = false;
            for (ZyppPackage atom : patch.packages()) {
                RpmVersion evr = atom.evr();
                for (ZyppPackage i : byName.getOrDefault(atom.name(), List.of())) {
                    if (archChangeAllowed(i.arch(), atom.arch())) {
                        relevant = true;
                        needed |= i.evr().compareTo(evr) < 0;
                    }
                }
            }
            PatchStatus status = needed
                    ? (patch.optional() ? PatchStatus.OPTIONAL : PatchStatus.NEEDED)
                    : relevant ? PatchStatus.APPLIED : PatchStatus.NOT_NEEDED;
            entries.add(new ZypperScan.PatchEntry(patch, status));
        }
        entries.sort(Comparator.comparing((ZypperScan.PatchEntry e) -> e.patch().repository())
                .thenComparing(e -> e.patch().id()));
        return entries;
    }

    private interface Reader<T> {
        List<T> read(Path file, Set<String> names) throws IOException;
    }

    private <T> List<T> parsed(Map<Path, Parsed<T>> cache, Path file, Set<String> names, Reader<T> reader)
            throws IOException {
        FileStamp stamp = FileStamp.of(file);
        Parsed<T> known = cache.get(file);
        if (known != null && known.stamp().equals(stamp) && known.names().containsAll(names)) {
            return known.items();
        }
        filesParsed++;
        List<T> items = List.copyOf(reader.read(file, names));
        cache.put(file, new Parsed<>(stamp, Set.copyOf(names), items));
        return items;
    }

    /** How many metadata files this scanner has parsed: a repeat scan of unchanged metadata adds none. */
    synchronized int filesParsed() {
        return filesParsed;
    }
}
