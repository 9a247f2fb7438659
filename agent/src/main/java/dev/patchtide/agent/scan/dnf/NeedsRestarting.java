package dev.patchtide.agent.scan.dnf;

import dev.patchtide.agent.scan.rpm.InstalledRpm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Whether an rpm-family host needs a reboot, decided as {@code dnf needs-restarting -r} (dnf-plugins-core 4)
 * decides it: a package of its core list (kernel, glibc, systemd, dbus, …) or named in a {@code .conf} file of
 * {@code /etc/dnf/plugins/needs-restarting.d} in the root, installed after the host booted.
 */
public final class NeedsRestarting {
    /** The plugin's own list ({@code NEED_REBOOT}). */
    static final List<String> CORE =
            List.of("kernel", "kernel-rt", "glibc", "linux-firmware", "systemd", "dbus", "dbus-broker", "dbus-daemon");

    static final String CONF_DIR = "etc/dnf/plugins/needs-restarting.d";

    private NeedsRestarting() {}

    /** The names (sorted, as the plugin prints them) that need a reboot; empty when none does. */
    public static List<String> packages(Path root, List<InstalledRpm> installed, Instant bootTime) throws IOException {
        Set<String> names = new TreeSet<>(CORE);
        names.addAll(configured(root));
        Set<String> need = new TreeSet<>();
        for (InstalledRpm p : installed) {
            // The plugin compares whole seconds: installtime > boot time.
            if (names.contains(p.pkg().name())
                    && p.installTime().isPresent()
                    && p.installTime().get().getEpochSecond() > bootTime.getEpochSecond()) {
                need.add(p.pkg().name());
            }
        }
        return List.copyOf(need);
    }

    /** One package name a line, trailing white space dropped, from each {@code *.conf} (small files only). */
    static Set<String> configured(Path root) throws IOException {
        Path dir = root.resolve(CONF_DIR);
        Set<String> names = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".conf"))
                    .filter(Files::isRegularFile)
                    .toList()) {
                if (Files.size(f) <= 64 * 1024) {
                    Files.readAllLines(f).stream()
                            .map(String::stripTrailing)
                            .filter(s -> !s.isEmpty())
                            .forEach(names::add);
                }
            }
        }
        return names;
    }

    /**
     * When the host booted, as the plugin reads it: the modification time of {@code /proc/1} (the root's own
     * {@code proc} when mounted there, else this machine's, as {@code dnf --installroot} uses).
     */
    public static Instant bootTime(Path root) throws IOException {
        Path init = root.resolve("proc/1");
        if (!Files.exists(init)) {
            init = Path.of("/proc/1");
        }
        return Files.getLastModifiedTime(init).toInstant();
    }
}
