package dev.patchtide.agent.scan.zypper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The package locks of {@code etc/zypp/locks} ({@code zypper addlock}): zypper never updates a locked installed
 * package, so {@code list-updates} leaves it out. Each lock is a block of "key: value" lines; a package lock names
 * the package by {@code solvable_name} matched as {@code match_type} says (glob, exact, substring, regex), with or
 * without case, and may narrow it to one {@code solvable_arch}.
 */
final class ZypperLocks {
    private record Lock(Pattern name, String arch) {}

    private final List<Lock> locks;

    private ZypperLocks(List<Lock> locks) {
        this.locks = locks;
    }

    static ZypperLocks none() {
        return new ZypperLocks(List.of());
    }

    static ZypperLocks read(Path root) throws IOException {
        Path file = root.resolve("etc/zypp/locks");
        if (!Files.isRegularFile(file)) {
            return none();
        }
        if (Files.size(file) > ZypperRepos.MAX_FILE_BYTES) {
            throw new IOException(file + " is larger than " + ZypperRepos.MAX_FILE_BYTES + " bytes: not a lock list");
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    static ZypperLocks parse(String text) {
        List<Lock> locks = new ArrayList<>();
        Map<String, String> block = new HashMap<>();
        for (String line : (text + "\n\n").split("\n", -1)) {
            String l = line.strip();
            if (l.isEmpty()) {
                lock(block).ifPresent(locks::add);
                block = new HashMap<>();
                continue;
            }
            int colon = l.indexOf(':');
            if (!l.startsWith("#") && colon > 0) {
                block.put(
                        l.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        l.substring(colon + 1).strip());
            }
        }
        return new ZypperLocks(List.copyOf(locks));
    }

    private static java.util.Optional<Lock> lock(Map<String, String> block) {
        String name = block.get("solvable_name");
        if (name == null || !block.getOrDefault("type", "package").equals("package")) {
            return java.util.Optional.empty();
        }
        boolean caseSensitive = !block.getOrDefault("case_sensitive", "on").equals("off");
        String regex =
                switch (block.getOrDefault("match_type", "exact")) {
                    case "glob" -> glob(name);
                    case "substring" -> ".*" + Pattern.quote(name) + ".*";
                    case "regex" -> name;
                    default -> Pattern.quote(name);
                };
        try {
            return java.util.Optional.of(new Lock(
                    Pattern.compile(regex, caseSensitive ? 0 : Pattern.CASE_INSENSITIVE),
                    block.getOrDefault("solvable_arch", "")));
        } catch (PatternSyntaxException e) {
            return java.util.Optional.empty(); // zypper ignores a lock it cannot read as well
        }
    }

    private static String glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    boolean locked(ZyppPackage p) {
        return locks.stream()
                .anyMatch(l -> l.name().matcher(p.name()).matches()
                        && (l.arch().isEmpty() || l.arch().equals(p.arch())));
    }
}
