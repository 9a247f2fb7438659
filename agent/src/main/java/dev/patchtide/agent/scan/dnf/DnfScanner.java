package dev.patchtide.agent.scan.dnf;

import dev.patchtide.agent.scan.FileStamp;
import dev.patchtide.agent.scan.rpm.Advisory;
import dev.patchtide.agent.scan.rpm.MetadataReader;
import dev.patchtide.agent.scan.rpm.RepoMetadata;
import dev.patchtide.agent.scan.rpm.RpmPackage;
import dev.patchtide.core.version.RpmVersion;
import java.io.IOException;
import java.nio.file.Files;
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
import java.util.stream.Stream;

/**
 * For RHEL, Rocky, Alma, Amazon Linux and Fedora: compares the installed RPMs with the newest builds in
 * the cached repository metadata and attaches the advisories (updateinfo) that the update resolves.
 */
public final class DnfScanner {
    private record Available(RpmPackage pkg, RpmVersion evr, String repoId) {}

    /** What one metadata file held for the installed names when it was read. */
    private record Parsed<T>(FileStamp stamp, Set<String> names, List<T> items) {}

    /**
     * Parsed metadata by file, reused while the file is unchanged and no new name was installed: dnf
     * replaces metadata under a new file name when it refreshes, so a daemon's repeat scan parses nothing.
     */
    private final Map<Path, Parsed<RpmPackage>> primaries = new HashMap<>();

    private final Map<Path, Parsed<Advisory>> updateinfos = new HashMap<>();
    private int filesParsed;

    /** The repositories dnf has cached: each {@code <repoid>-<hash>/repodata/repomd.xml} under {@code cacheDir}. */
    public static List<RepoMetadata> cachedRepositories(Path cacheDir) throws IOException {
        if (!Files.isDirectory(cacheDir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(cacheDir)) {
            return dirs.filter(d -> Files.exists(d.resolve("repodata/repomd.xml")))
                    .sorted()
                    .map(d -> {
                        String name = d.getFileName().toString();
                        int dash = name.lastIndexOf('-');
                        return new RepoMetadata(dash > 0 ? name.substring(0, dash) : name, d);
                    })
                    .toList();
        }
    }

    public synchronized List<DnfUpdate> scan(List<RpmPackage> installed, List<RepoMetadata> repos) throws IOException {
        Map<String, RpmPackage> byKey = new HashMap<>();
        installed.forEach(p -> byKey.put(p.name() + "." + p.arch(), p));
        Set<String> names = new HashSet<>();
        installed.forEach(p -> names.add(p.name()));
        Set<Path> present = new HashSet<>();
        Map<String, Available> newest = new HashMap<>();
        List<Advisory> advisories = new ArrayList<>();
        for (RepoMetadata repo : repos) {
            Optional<Path> primary = repo.file("primary");
            if (primary.isEmpty()) {
                throw new IOException("repository " + repo.repoId() + " has no primary metadata");
            }
            present.add(primary.get());
            for (RpmPackage p : parsed(primaries, primary.get(), names, MetadataReader::primaryPackages)) {
                String key = p.name() + "." + p.arch();
                if (byKey.containsKey(key)) {
                    Available candidate = new Available(p, p.evr(), repo.repoId());
                    newest.merge(key, candidate, (a, b) -> a.evr().compareTo(b.evr()) >= 0 ? a : b);
                }
            }
            Optional<Path> updateinfo = repo.file("updateinfo");
            if (updateinfo.isPresent()) {
                present.add(updateinfo.get());
                advisories.addAll(parsed(updateinfos, updateinfo.get(), names, MetadataReader::advisories));
            }
        }
        primaries.keySet().retainAll(present);
        updateinfos.keySet().retainAll(present);
        List<DnfUpdate> updates = new ArrayList<>();
        for (Map.Entry<String, Available> e : newest.entrySet()) {
            RpmPackage current = byKey.get(e.getKey());
            Available best = e.getValue();
            if (best.evr().compareTo(current.evr()) > 0) {
                updates.add(describe(current, best, covering(current, best, advisories)));
            }
        }
        updates.sort(Comparator.comparing(DnfUpdate::name).thenComparing(DnfUpdate::arch));
        return updates;
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

    /** Advisories listing a build of this package newer than the installed one and not newer than the available one. */
    private static List<Advisory> covering(RpmPackage installed, Available best, List<Advisory> advisories) {
        List<Advisory> covering = new ArrayList<>();
        for (Advisory a : advisories) {
            for (RpmPackage fixed : a.packages()) {
                if (fixed.name().equals(installed.name())
                        && fixed.arch().equals(installed.arch())
                        && fixed.evr().compareTo(installed.evr()) > 0
                        && fixed.evr().compareTo(best.evr()) <= 0) {
                    covering.add(a);
                    break;
                }
            }
        }
        return covering;
    }

    private static DnfUpdate describe(RpmPackage installed, Available best, List<Advisory> advisories) {
        Advisory worst = advisories.stream()
                .max(Comparator.comparing((Advisory a) -> a.type().equals("security"))
                        .thenComparing(a -> Advisory.severityRank(a.severity())))
                .orElse(null);
        Set<String> cves = new LinkedHashSet<>();
        advisories.forEach(a -> cves.addAll(a.cves()));
        String issued = advisories.stream()
                .map(Advisory::issued)
                .filter(s -> !s.isEmpty())
                .min(String::compareTo)
                .orElse("");
        return new DnfUpdate(
                installed.name(),
                installed.arch(),
                installed.evrText(),
                best.pkg().evrText(),
                best.repoId(),
                worst == null ? "Unspecified" : worst.classification(),
                worst == null ? "" : worst.severity(),
                advisories.stream().map(Advisory::id).toList(),
                List.copyOf(cves),
                issued);
    }
}
