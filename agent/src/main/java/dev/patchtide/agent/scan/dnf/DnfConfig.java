package dev.patchtide.agent.scan.dnf;

import dev.patchtide.agent.scan.rpm.RpmDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * dnf's configuration in a host tree, read as dnf reads it there: {@code /etc/dnf/dnf.conf}'s [main] (excludes,
 * cachedir, reposdir, skip_if_unavailable) and every section of the {@code *.repo} files of its reposdir, with
 * {@code $releasever}, {@code $basearch} and the vars files substituted.
 */
public final class DnfConfig {
    static final List<String> DEFAULT_REPOSDIR = List.of("/etc/yum.repos.d", "/etc/yum/repos.d", "/etc/distro.repos.d");

    private final Path root;
    private final Path cacheDir;
    private final List<DnfRepository> repositories;
    private final DnfVariables variables;

    private DnfConfig(Path root, Path cacheDir, List<DnfRepository> repositories, DnfVariables variables) {
        this.root = root;
        this.cacheDir = cacheDir;
        this.repositories = List.copyOf(repositories);
        this.variables = variables;
    }

    /** The configuration of the tree at {@code root}. */
    public static DnfConfig read(Path root, Optional<RpmDatabase> db) throws IOException {
        return read(root, DnfVariables.of(root, db));
    }

    static DnfConfig read(Path root, DnfVariables variables) throws IOException {
        Map<String, String> main = Map.of();
        Path conf = root.resolve("etc/dnf/dnf.conf");
        if (Files.isRegularFile(conf)) {
            main = IniFile.read(conf).getOrDefault("main", Map.of());
        }
        List<String> mainExcludes = new ArrayList<>(list(main, variables, "excludepkgs"));
        mainExcludes.addAll(list(main, variables, "exclude"));
        boolean skipDefault = bool(main.get("skip_if_unavailable"), false, "skip_if_unavailable", conf);
        Path cacheDir = inside(root, main.getOrDefault("cachedir", "/var/cache/dnf"));
        List<String> reposdirs = main.containsKey("reposdir") ? list(main, variables, "reposdir") : DEFAULT_REPOSDIR;
        Map<String, DnfRepository> repos = new LinkedHashMap<>();
        for (String dir : reposdirs) {
            Path reposdir = inside(root, dir);
            if (!Files.isDirectory(reposdir)) {
                continue;
            }
            List<Path> files;
            try (Stream<Path> list = Files.list(reposdir)) {
                files = list.filter(p -> p.getFileName().toString().endsWith(".repo"))
                        .sorted()
                        .toList();
            }
            for (Path file : files) {
                for (var section : IniFile.read(file).entrySet()) {
                    if (!section.getKey().equals("main")) {
                        repos.putIfAbsent(
                                section.getKey(),
                                repository(
                                        section.getKey(),
                                        section.getValue(),
                                        variables,
                                        mainExcludes,
                                        skipDefault,
                                        file));
                    }
                }
            }
        }
        return new DnfConfig(root, cacheDir, List.copyOf(repos.values()), variables);
    }

    private static DnfRepository repository(
            String id,
            Map<String, String> o,
            DnfVariables vars,
            List<String> mainExcludes,
            boolean skipDefault,
            Path file)
            throws IOException {
        List<String> excludes = new ArrayList<>(mainExcludes);
        excludes.addAll(list(o, vars, "excludepkgs"));
        excludes.addAll(list(o, vars, "exclude"));
        return new DnfRepository(
                id,
                bool(o.get("enabled"), true, id + ".enabled", file),
                list(o, vars, "baseurl"),
                Optional.ofNullable(o.get("metalink")).map(vars::substitute),
                Optional.ofNullable(o.get("mirrorlist")).map(vars::substitute),
                List.copyOf(excludes),
                list(o, vars, "includepkgs"),
                number(o.get("priority"), DnfRepository.DEFAULT_PRIORITY, id + ".priority", file),
                number(o.get("cost"), DnfRepository.DEFAULT_COST, id + ".cost", file),
                bool(o.get("skip_if_unavailable"), skipDefault, id + ".skip_if_unavailable", file));
    }

    public List<DnfRepository> repositories() {
        return repositories;
    }

    /** The cache folder of {@code repo} in the root, if dnf has cached its metadata there. */
    public Optional<Path> cached(DnfRepository repo) {
        Path dir = cacheDir.resolve(repo.cacheDirName());
        return Files.isRegularFile(dir.resolve("repodata/repomd.xml")) ? Optional.of(dir) : Optional.empty();
    }

    /** {@code $releasever} as dnf would substitute it here (what an install in this root is told). */
    public Optional<String> releaseVersion() {
        return variables.get("releasever");
    }

    public Path root() {
        return root;
    }

    /** A path of the configuration (absolute, as dnf writes it) inside the root. */
    private static Path inside(Path root, String path) {
        return root.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** libdnf's list options: separated by commas and white space (new lines included). */
    private static List<String> list(Map<String, String> o, DnfVariables vars, String key) {
        String value = o.get(key);
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(vars.substitute(value).split("[,\\s]+"))
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static boolean bool(String value, boolean otherwise, String name, Path file) throws IOException {
        if (value == null) {
            return otherwise;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "1", "yes", "true", "on" -> true;
            case "0", "no", "false", "off" -> false;
            default -> throw new IOException(file + ": " + name + " is not a boolean: " + value);
        };
    }

    private static int number(String value, int otherwise, String name, Path file) throws IOException {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IOException(file + ": " + name + " is not a number: " + value);
        }
    }
}
