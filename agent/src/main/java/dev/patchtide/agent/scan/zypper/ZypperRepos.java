package dev.patchtide.agent.scan.zypper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reads the repositories zypper knows from {@code etc/zypp/repos.d/*.repo} (INI files, one section per alias). */
public final class ZypperRepos {
    /** A repo file is a few hundred bytes; anything this big is not one, and is refused before it is read. */
    static final long MAX_FILE_BYTES = 1 << 20;

    private static final Pattern VARIABLE =
            Pattern.compile("\\$\\{?(releasever_major|releasever_minor|releasever|basearch|arch)}?");

    private ZypperRepos() {}

    /**
     * The repositories of the tree at {@code root}, enabled or not, sorted by alias.
     *
     * @param releasever the value of {@code $releasever} (the base product's version, e.g. "15.5")
     * @param arch the system architecture, for {@code $arch} and {@code $basearch}
     */
    public static List<ZypperRepo> read(Path root, String releasever, String arch) throws IOException {
        Path dir = root.resolve("etc/zypp/repos.d");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.filter(f -> f.getFileName().toString().endsWith(".repo"))
                    .sorted()
                    .toList();
        }
        Map<String, ZypperRepo> byAlias = new LinkedHashMap<>();
        for (Path file : files) {
            for (ZypperRepo repo : parse(file, read(file), releasever, arch)) {
                byAlias.putIfAbsent(repo.alias(), repo);
            }
        }
        return byAlias.values().stream()
                .sorted((a, b) -> a.alias().compareTo(b.alias()))
                .toList();
    }

    private static String read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + " is larger than " + MAX_FILE_BYTES + " bytes: not a repository file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes((int) MAX_FILE_BYTES + 1), StandardCharsets.UTF_8);
        }
    }

    static List<ZypperRepo> parse(Path file, String text, String releasever, String arch) throws IOException {
        List<ZypperRepo> repos = new ArrayList<>();
        String alias = null;
        Map<String, String> keys = new LinkedHashMap<>();
        int lineNumber = 0;
        for (String raw : text.split("\n", -1)) {
            lineNumber++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                if (alias != null) {
                    repos.add(repo(file, alias, keys, releasever, arch));
                }
                alias = line.substring(1, line.length() - 1).strip();
                keys = new LinkedHashMap<>();
                continue;
            }
            int eq = line.indexOf('=');
            if (alias == null || eq <= 0) {
                throw new IOException(file + " line " + lineNumber + ": expected [alias] or key=value");
            }
            String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            // baseurl may be given several times (mirrors); the first is the one zypper tries first
            keys.putIfAbsent(key, line.substring(eq + 1).strip());
        }
        if (alias != null) {
            repos.add(repo(file, alias, keys, releasever, arch));
        }
        return repos;
    }

    private static ZypperRepo repo(Path file, String alias, Map<String, String> keys, String releasever, String arch)
            throws IOException {
        if (alias.isEmpty() || alias.contains("/")) {
            throw new IOException(file + ": '" + alias + "' is not a repository alias");
        }
        int priority = ZypperRepo.DEFAULT_PRIORITY;
        String p = keys.get("priority");
        if (p != null && !p.isEmpty()) {
            try {
                priority = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IOException(file + " [" + alias + "]: priority '" + p + "' is not a number");
            }
            if (priority < 1) {
                // zypper reads 0 and below as "default"
                priority = ZypperRepo.DEFAULT_PRIORITY;
            }
        }
        String url = keys.getOrDefault("baseurl", keys.getOrDefault("mirrorlist", ""));
        return new ZypperRepo(
                alias,
                keys.getOrDefault("name", alias),
                bool(keys.get("enabled"), true),
                bool(keys.get("autorefresh"), false),
                priority,
                expand(url, releasever, arch));
    }

    private static boolean bool(String value, boolean absent) {
        if (value == null || value.isEmpty()) {
            return absent;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "1", "yes", "true", "on" -> true;
            default -> false;
        };
    }

    /** zypper's repository variables; an unknown one stays as written, as zypper leaves it. */
    static String expand(String url, String releasever, String arch) {
        Matcher m = VARIABLE.matcher(url);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value =
                    switch (m.group(1)) {
                        case "releasever" -> releasever;
                        case "releasever_major" ->
                            releasever.contains(".") ? releasever.substring(0, releasever.indexOf('.')) : releasever;
                        case "releasever_minor" ->
                            releasever.contains(".") ? releasever.substring(releasever.indexOf('.') + 1) : "";
                        case "basearch" -> baseArch(arch);
                        default -> arch;
                    };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The base architecture zypper substitutes: i586 and i686 are i386's family; the others are their own. */
    static String baseArch(String arch) {
        return switch (arch) {
            case "i386", "i486", "i586", "i686", "athlon" -> "i386";
            default -> arch;
        };
    }
}
