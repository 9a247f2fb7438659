package dev.patchtide.agent.scan.apt;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One entry of apt_preferences(5): which packages ({@code *} for all: a generic pin on whole archives),
 * what it matches (a release's fields, a version, or an origin site), and the priority it gives.
 */
record AptPin(List<String> packages, Target target, int priority) {

    sealed interface Target {
        /** {@code Pin: release a=bookworm-security, o=Debian}: all given fields must match. */
        record Release(Map<String, String> fields) implements Target {}

        /** {@code Pin: version 1.2*}. */
        record Version(String pattern) implements Target {}

        /** {@code Pin: origin deb.example.org}: the site an index was fetched from. */
        record Origin(String site) implements Target {}
    }

    static AptPin parse(String packageField, String pinField, String priorityField, String where) {
        if (packageField == null || pinField == null || priorityField == null) {
            throw new IllegalArgumentException(where + ": a pin needs Package, Pin and Pin-Priority");
        }
        int priority;
        try {
            priority = Integer.parseInt(priorityField.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": Pin-Priority is not a number: " + priorityField);
        }
        String pin = pinField.strip();
        int space = pin.indexOf(' ');
        String kind = space < 0 ? pin : pin.substring(0, space);
        String value = space < 0 ? "" : pin.substring(space + 1).strip();
        Target target =
                switch (kind) {
                    case "release" -> new Target.Release(releaseFields(value));
                    case "version" -> new Target.Version(value);
                    case "origin" -> new Target.Origin(unquote(value));
                    default -> throw new IllegalArgumentException(where + ": unknown pin type '" + kind + "'");
                };
        return new AptPin(List.of(packageField.strip().split("\\s+")), target, priority);
    }

    boolean isGeneric() {
        return packages.equals(List.of("*"));
    }

    boolean appliesToPackage(String name) {
        return packages.stream().anyMatch(p -> matches(p, name));
    }

    boolean matchesIndex(ReleaseInfo release) {
        return switch (target) {
            case Target.Release r ->
                r.fields().entrySet().stream().allMatch(e -> matches(e.getValue(), field(release, e.getKey())));
            case Target.Origin o -> o.site().equals(release.site());
            case Target.Version v -> false;
        };
    }

    boolean matchesVersion(String version, ReleaseInfo release) {
        return target instanceof Target.Version v ? matches(v.pattern(), version) : matchesIndex(release);
    }

    private static String field(ReleaseInfo release, String key) {
        return switch (key) {
            case "a" -> release.archive();
            case "n" -> release.codename();
            case "v" -> release.version();
            case "o" -> release.origin();
            case "l" -> release.label();
            case "c" -> release.component();
            default -> "";
        };
    }

    /** {@code a=stable, o=Debian}; a bare word names the archive (suite). */
    private static Map<String, String> releaseFields(String value) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq == 1) {
                fields.put(p.substring(0, 1), unquote(p.substring(2)));
            } else {
                fields.put("a", unquote(p));
            }
        }
        return fields;
    }

    /** apt patterns: {@code /regex/}, a glob with {@code * ? [}, or a literal. */
    static boolean matches(String pattern, String value) {
        if (pattern.length() > 1 && pattern.startsWith("/") && pattern.endsWith("/")) {
            return Pattern.compile(pattern.substring(1, pattern.length() - 1))
                    .matcher(value)
                    .find();
        }
        if (pattern.chars().anyMatch(c -> c == '*' || c == '?' || c == '[')) {
            return Pattern.compile(globToRegex(pattern)).matcher(value).matches();
        }
        return pattern.equals(value);
    }

    private static String globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '[', ']' -> regex.append(c);
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    private static String unquote(String s) {
        String t = s.strip();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }
}
