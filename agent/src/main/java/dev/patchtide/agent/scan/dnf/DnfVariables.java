package dev.patchtide.agent.scan.dnf;

import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.scan.rpm.RpmDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The variables dnf substitutes in repository options: {@code $releasever} (from the package that provides
 * {@code system-release(releasever)}, as dnf detects it), {@code $basearch} and {@code $arch} (this machine's, as
 * dnf's own without {@code --forcearch}), and every file of {@code /etc/dnf/vars} and {@code /etc/yum/vars} in the
 * root, which override them.
 */
final class DnfVariables {
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{([A-Za-z0-9_]+)\\}|([A-Za-z0-9_]+))");

    private final Map<String, String> values;

    DnfVariables(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** The variables of the tree at {@code root}. */
    static DnfVariables of(Path root, Optional<RpmDatabase> db) throws IOException {
        Map<String, String> values = new HashMap<>();
        String arch = arch(System.getProperty("os.arch"));
        values.put("arch", arch);
        values.put("basearch", basearch(arch));
        Optional<String> release = db.isPresent() ? db.get().releaseVersion() : Optional.empty();
        // No release package (a bare install root): dnf then needs --releasever; os-release's VERSION_ID is
        // what such a root says about itself.
        release.or(() -> Optional.ofNullable(HostFacts.osRelease(root).get("VERSION_ID")))
                .ifPresent(r -> values.put("releasever", r));
        for (String dir : List.of("etc/yum/vars", "etc/dnf/vars")) {
            Path vars = root.resolve(dir);
            if (!Files.isDirectory(vars)) {
                continue;
            }
            try (Stream<Path> files = Files.list(vars)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    if (Files.size(file) <= 4096) {
                        List<String> lines = Files.readAllLines(file);
                        values.put(
                                file.getFileName().toString(),
                                lines.isEmpty() ? "" : lines.getFirst().strip());
                    }
                }
            }
        }
        return new DnfVariables(values);
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** {@code text} with each known {@code $name} or {@code ${name}} replaced; unknown ones stay, as dnf leaves them. */
    String substitute(String text) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(name, m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** rpm's name for the JVM's architecture. */
    static String arch(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "x86", "i386", "i486", "i586", "i686" -> "i686";
            case "arm64", "aarch64" -> "aarch64";
            default -> osArch;
        };
    }

    /** dnf's base architecture of {@code arch} (i686 → i386, the rest as they are for the common ones). */
    static String basearch(String arch) {
        return switch (arch) {
            case "i386", "i486", "i586", "i686", "athlon" -> "i386";
            case "armv7hl", "armv7l" -> "armhfp";
            default -> arch;
        };
    }
}
