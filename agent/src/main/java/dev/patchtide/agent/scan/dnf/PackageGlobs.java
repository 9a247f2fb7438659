package dev.patchtide.agent.scan.dnf;

import dev.patchtide.agent.scan.rpm.RpmPackage;
import java.util.List;
import java.util.regex.Pattern;

/**
 * dnf's {@code excludepkgs}/{@code includepkgs} patterns: shell globs ({@code *}, {@code ?}, {@code [...]}) matched
 * against each form dnf accepts for a package: name, name.arch, name-version, name-version-release,
 * name-version-release.arch and name-epoch:version-release.arch.
 */
final class PackageGlobs {
    private final List<Pattern> patterns;

    PackageGlobs(List<String> globs) {
        this.patterns = globs.stream().map(PackageGlobs::regex).toList();
    }

    boolean isEmpty() {
        return patterns.isEmpty();
    }

    boolean matches(RpmPackage p) {
        if (patterns.isEmpty()) {
            return false;
        }
        String vr = p.version() + "-" + p.release();
        List<String> forms = List.of(
                p.name(),
                p.name() + "." + p.arch(),
                p.name() + "-" + p.version(),
                p.name() + "-" + vr,
                p.name() + "-" + vr + "." + p.arch(),
                p.name() + "-" + p.epoch() + ":" + vr + "." + p.arch(),
                p.name() + "-" + p.epoch() + ":" + vr);
        for (Pattern pattern : patterns) {
            for (String form : forms) {
                if (pattern.matcher(form).matches()) {
                    return true;
                }
            }
        }
        return false;
    }

    static Pattern regex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int end = glob.indexOf(']', i + 1);
                    if (end < 0) {
                        re.append("\\[");
                    } else {
                        String set = glob.substring(i + 1, end);
                        if (set.startsWith("!")) {
                            set = "^" + set.substring(1);
                        }
                        re.append('[').append(set.replace("\\", "\\\\")).append(']');
                        i = end;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
