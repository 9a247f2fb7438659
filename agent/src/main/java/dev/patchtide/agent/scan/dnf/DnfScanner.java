package dev.patchtide.agent.scan.dnf;

import dev.patchtide.agent.scan.FileStamp;
import dev.patchtide.agent.scan.rpm.Advisory;
import dev.patchtide.agent.scan.rpm.MetadataReader;
import dev.patchtide.agent.scan.rpm.RepoMetadata;
import dev.patchtide.agent.scan.rpm.RpmDatabase;
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
    private record Available(RpmPackage pkg, RpmVersion evr, Source source) {}

    /**
     * One enabled repository's cached metadata with what dnf applies to it.
     *
     * @param excludes packages dnf hides from this repository ({@code excludepkgs}, [main]'s included)
     * @param includes when not empty, the only packages dnf takes from it ({@code includepkgs})
     */
    public record Source(RepoMetadata metadata, int priority, int cost, List<String> excludes, List<String> includes) {
        public Source {
            excludes = List.copyOf(excludes);
            includes = List.copyOf(includes);
        }

        /** A repository with dnf's defaults (priority 99, cost 1000, nothing excluded). */
        public static Source of(RepoMetadata metadata) {
            return new Source(
                    metadata, DnfRepository.DEFAULT_PRIORITY, DnfRepository.DEFAULT_COST, List.of(), List.of());
        }

        String repoId() {
            return metadata.repoId();
        }
    }

    /** What one metadata file held for the installed names when it was read. */
    private record Parsed<T>(FileStamp stamp, Set<String> names, List<T> items) {}

    /**
     * Parsed metadata by file, reused while the file is unchanged and no new name was installed: dnf
     * replaces metadata under a new file name when it refreshes, so a daemon's repeat scan parses nothing.
     */
    private final Map<Path, Parsed<RpmPackage>> primaries = new HashMap<>();

    private final Map<Path, Parsed<Advisory>> updateinfos = new HashMap<>();
    private int filesParsed;

    /**
     * Every repository dnf has cached under {@code cacheDir} ({@code <repoid>-<hash>/repodata/repomd.xml}), with
     * dnf's defaults: for metadata without its configuration (tests, a cache copied off a host).
     */
    public static List<Source> cachedRepositories(Path cacheDir) throws IOException {
        if (!Files.isDirectory(cacheDir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(cacheDir)) {
            return dirs.filter(d -> Files.exists(d.resolve("repodata/repomd.xml")))
                    .sorted()
                    .map(d -> {
                        String name = d.getFileName().toString();
                        int dash = name.lastIndexOf('-');
                        return Source.of(new RepoMetadata(dash > 0 ? name.substring(0, dash) : name, d));
                    })
                    .toList();
        }
    }

    /**
     * The enabled repositories of {@code config} as dnf would read them from its cache. One with no cached metadata
     * is an error naming it, unless its {@code skip_if_unavailable} is set, as dnf itself decides.
     */
    public static List<Source> configuredRepositories(DnfConfig config) throws IOException {
        List<Source> sources = new ArrayList<>();
        for (DnfRepository repo : config.repositories()) {
            if (!repo.enabled()) {
                continue;
            }
            Optional<Path> dir = config.cached(repo);
            if (dir.isEmpty()) {
                if (repo.skipIfUnavailable()) {
                    continue;
                }
                throw new IOException("repository " + repo.id() + " is enabled but dnf has no metadata for it in its"
                        + " cache (" + repo.cacheDirName() + "): run 'dnf makecache' on the host first");
            }
            sources.add(new Source(
                    new RepoMetadata(repo.id(), dir.get()),
                    repo.priority(),
                    repo.cost(),
                    repo.excludes(),
                    repo.includes()));
        }
        return sources;
    }

    /** The updates of the host tree at {@code root}, from its dnf configuration and cache, for {@code installed}. */
    public List<DnfUpdate> scan(Path root, List<RpmPackage> installed) throws IOException {
        return scan(installed, configuredRepositories(DnfConfig.read(root, RpmDatabase.of(root))));
    }

    /**
     * The updates {@code dnf check-update} lists: for each installed name.arch (the newest installed build when
     * several are, as for kernels), the newest build in the repositories of the best priority offering that
     * name.arch, when newer than the installed one; a build in several of them is taken from the cheapest.
     */
    public synchronized List<DnfUpdate> scan(List<RpmPackage> installed, List<Source> repos) throws IOException {
        Map<String, RpmPackage> byKey = new HashMap<>();
        for (RpmPackage p : installed) {
            byKey.merge(key(p), p, (a, b) -> a.evr().compareTo(b.evr()) >= 0 ? a : b);
        }
        Set<String> names = new HashSet<>();
        installed.forEach(p -> names.add(p.name()));
        Set<Path> present = new HashSet<>();
        Map<String, Available> best = new HashMap<>();
        List<Advisory> advisories = new ArrayList<>();
        for (Source repo : repos) {
            Optional<Path> primary = repo.metadata().file("primary");
            if (primary.isEmpty()) {
                throw new IOException("repository " + repo.repoId() + " has no primary metadata");
            }
            present.add(primary.get());
            PackageGlobs excludes = new PackageGlobs(repo.excludes());
            PackageGlobs includes = new PackageGlobs(repo.includes());
            for (RpmPackage p : parsed(primaries, primary.get(), names, MetadataReader::primaryPackages)) {
                String key = key(p);
                if (!byKey.containsKey(key) || excludes.matches(p) || (!includes.isEmpty() && !includes.matches(p))) {
                    continue;
                }
                best.merge(key, new Available(p, p.evr(), repo), DnfScanner::better);
            }
            Optional<Path> updateinfo = repo.metadata().file("updateinfo");
            if (updateinfo.isPresent()) {
                present.add(updateinfo.get());
                advisories.addAll(parsed(updateinfos, updateinfo.get(), names, MetadataReader::advisories));
            }
        }
        primaries.keySet().retainAll(present);
        updateinfos.keySet().retainAll(present);
        List<DnfUpdate> updates = new ArrayList<>();
        for (Map.Entry<String, Available> e : best.entrySet()) {
            RpmPackage current = byKey.get(e.getKey());
            Available candidate = e.getValue();
            if (candidate.evr().compareTo(current.evr()) > 0) {
                updates.add(describe(current, candidate, covering(current, candidate, advisories)));
            }
        }
        updates.sort(Comparator.comparing(DnfUpdate::name).thenComparing(DnfUpdate::arch));
        return updates;
    }

    private static String key(RpmPackage p) {
        return p.name() + "." + p.arch();
    }

    /**
     * Of two builds of one name.arch: the better priority's (lower number; the other repository's builds do not
     * count at all, newer or not), then the newer, then the cheaper repository's, then the first repository's.
     */
    private static Available better(Available a, Available b) {
        if (a.source().priority() != b.source().priority()) {
            return a.source().priority() < b.source().priority() ? a : b;
        }
        int order = a.evr().compareTo(b.evr());
        if (order != 0) {
            return order > 0 ? a : b;
        }
        return b.source().cost() < a.source().cost() ? b : a;
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
                best.source().repoId(),
                worst == null ? "Unspecified" : worst.classification(),
                worst == null ? "" : worst.severity(),
                advisories.stream().map(Advisory::id).toList(),
                List.copyOf(cves),
                issued);
    }
}
