package dev.patchtide.agent.scan.zypper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Which vendors zypper treats as one (libzypp's vendor equivalence): an update never changes a package's vendor
 * unless both vendors are in one group. Out of the box every vendor starting with "suse" is one group and every one
 * starting with "opensuse" another (but not the openSUSE Build Service's, which is only itself): measured on the real
 * zypper, "SUSE LLC" updates to "SUSE GmbH" but not to "openSUSE". {@code etc/zypp/vendors.d/*} adds groups
 * ({@code vendors = suse,opensuse,packman}). Vendors are compared without case.
 */
final class VendorGroups {
    private final List<List<String>> groups;

    private VendorGroups(List<List<String>> groups) {
        this.groups = groups;
    }

    static VendorGroups defaults() {
        return new VendorGroups(List.of(List.of("suse"), List.of("opensuse")));
    }

    static VendorGroups read(Path root) throws IOException {
        List<List<String>> groups = new ArrayList<>(defaults().groups);
        Path dir = root.resolve("etc/zypp/vendors.d");
        if (Files.isDirectory(dir)) {
            List<Path> files;
            try (Stream<Path> listed = Files.list(dir)) {
                files = listed.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                if (Files.size(file) > ZypperRepos.MAX_FILE_BYTES) {
                    throw new IOException(file + " is too large to be a vendor list");
                }
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String l = line.strip();
                    int eq = l.indexOf('=');
                    if (eq > 0 && l.substring(0, eq).strip().equalsIgnoreCase("vendors")) {
                        List<String> group = new ArrayList<>();
                        for (String v : l.substring(eq + 1).split(",")) {
                            if (!v.isBlank()) {
                                group.add(v.strip().toLowerCase(Locale.ROOT));
                            }
                        }
                        groups.add(List.copyOf(group));
                    }
                }
            }
        }
        return new VendorGroups(List.copyOf(groups));
    }

    boolean equivalent(String a, String b) {
        String x = a.strip().toLowerCase(Locale.ROOT);
        String y = b.strip().toLowerCase(Locale.ROOT);
        if (x.equals(y)) {
            return true;
        }
        for (List<String> group : groups) {
            if (member(group, x) && member(group, y)) {
                return true;
            }
        }
        return false;
    }

    private static boolean member(List<String> group, String vendor) {
        return !vendor.isEmpty()
                && !vendor.startsWith("opensuse build service")
                && group.stream().anyMatch(vendor::startsWith);
    }
}
