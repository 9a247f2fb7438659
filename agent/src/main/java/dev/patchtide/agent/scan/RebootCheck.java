package dev.patchtide.agent.scan;

import dev.patchtide.agent.scan.apt.AptScanner;
import dev.patchtide.agent.scan.dnf.NeedsRestarting;
import dev.patchtide.agent.scan.rpm.InstalledRpm;
import dev.patchtide.agent.scan.rpm.RpmDatabase;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.version.DebianVersion;
import dev.patchtide.core.version.InvalidVersionException;
import dev.patchtide.core.version.RpmVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Whether the host needs a reboot to finish patching: Debian's {@code /var/run/reboot-required} flag
 * (with the packages that asked for it), on rpm-family hosts what {@code dnf needs-restarting -r} decides
 * ({@link NeedsRestarting}), or a kernel installed in /boot newer than the running one.
 */
public final class RebootCheck {
    /**
     * Packages Patchtide installed since the host booted (the boot's id on the first line, then name=version
     * lines): AWS's patch tracking file. They are INSTALLED_PENDING_REBOOT until the next boot, whether or not
     * a package asked for a reboot, as Patch Manager marks what an Install with NoReboot installed.
     */
    public static final String INSTALLED_SINCE_BOOT = "var/lib/patchtide/installed-pending-reboot";

    private final Path root;

    public RebootCheck(Path root) {
        this.root = root;
    }

    public record RebootStatus(
            boolean required,
            List<String> reasons,
            String runningKernel,
            Optional<String> newestInstalledKernel,
            List<String> packages) {

        /**
         * The packages waiting for the reboot, as the server matches them (a name, or name=version): those
         * in reboot-required.pkgs, and the package of a newer installed kernel than the running one.
         */
        public List<String> pendingPackages(boolean debian) {
            List<String> pending = new ArrayList<>(packages);
            newestInstalledKernel.filter(k -> !k.equals(runningKernel)).ifPresent(kernel -> {
                if (debian) {
                    pending.add("linux-image-" + kernel);
                } else {
                    // 5.14.0-427.13.1.el9_4.x86_64 is version-release.arch; rpm lists it as kernel-core.
                    String evr = kernel.contains(".") ? kernel.substring(0, kernel.lastIndexOf('.')) : kernel;
                    pending.add("kernel-core=" + evr);
                    pending.add("kernel=" + evr);
                }
            });
            return List.copyOf(pending);
        }
    }

    public RebootStatus check() throws IOException {
        List<String> reasons = new ArrayList<>();
        List<String> packages = new ArrayList<>();
        Path flag = root.resolve("var/run/reboot-required");
        if (Files.exists(flag)) {
            reasons.add("/var/run/reboot-required exists");
            Path pkgs = root.resolve("var/run/reboot-required.pkgs");
            if (Files.exists(pkgs)) {
                Files.readAllLines(pkgs).stream()
                        .map(String::strip)
                        .filter(s -> !s.isEmpty())
                        .distinct()
                        .forEach(packages::add);
            }
        }
        List<String> installed = stillInstalled(installedSinceBoot(root));
        if (!installed.isEmpty()) {
            reasons.add(installed.size() + " package(s) installed by Patchtide since this boot");
            installed.stream().filter(p -> !packages.contains(p)).forEach(packages::add);
        }
        if (PackageFamily.of(root).orElse(null) == PackageFamily.DNF) {
            List<InstalledRpm> rpms = RpmDatabase.of(root).orElseThrow().installed();
            List<String> core = NeedsRestarting.packages(root, rpms, NeedsRestarting.bootTime(root));
            if (!core.isEmpty()) {
                reasons.add("core libraries or services updated since boot-up: " + String.join(", ", core));
                core.stream().filter(p -> !packages.contains(p)).forEach(packages::add);
            }
        }
        String running = Files.exists(root.resolve("proc/sys/kernel/osrelease"))
                ? Files.readString(root.resolve("proc/sys/kernel/osrelease")).strip()
                : System.getProperty("os.version");
        Optional<String> newest = newestKernel();
        if (newest.isPresent() && !newest.get().equals(running)) {
            reasons.add("kernel " + newest.get() + " is installed but " + running + " is running");
        }
        return new RebootStatus(!reasons.isEmpty(), List.copyOf(reasons), running, newest, List.copyOf(packages));
    }

    /** This boot's id (the kernel's random boot_id), empty where the kernel does not give one. */
    public static Optional<String> bootId(Path root) throws IOException {
        Path id = root.resolve("proc/sys/kernel/random/boot_id");
        return Files.isReadable(id) ? Optional.of(Files.readString(id).strip()) : Optional.empty();
    }

    /** The name=version lines of {@link #INSTALLED_SINCE_BOOT} when it was written during this boot. */
    public static List<String> installedSinceBoot(Path root) throws IOException {
        Path file = root.resolve(INSTALLED_SINCE_BOOT);
        Optional<String> boot = bootId(root);
        if (!Files.exists(file) || boot.isEmpty()) {
            return List.of();
        }
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty() || !lines.getFirst().equals("boot " + boot.get())) {
            return List.of(); // written before the last reboot: those installs are in effect now
        }
        return lines.subList(1, lines.size()).stream()
                .map(String::strip)
                .filter(l -> l.contains("="))
                .distinct()
                .toList();
    }

    /**
     * Of the tracked name=version entries, those still installed at that version (on Debian-family hosts,
     * from dpkg's status): a package removed or replaced since needs no reboot to take effect.
     */
    private List<String> stillInstalled(List<String> tracked) throws IOException {
        if (tracked.isEmpty() || !Files.exists(root.resolve("var/lib/dpkg/status"))) {
            return tracked;
        }
        Set<String> installed = new HashSet<>();
        for (InstalledPackage p : new AptScanner(root).installed()) {
            installed.add(p.name() + "=" + p.version());
        }
        return tracked.stream().filter(installed::contains).toList();
    }

    /** The newest kernel in /boot, ordered as this host's package manager orders versions. */
    private Optional<String> newestKernel() throws IOException {
        Path boot = root.resolve("boot");
        if (!Files.isDirectory(boot)) {
            return Optional.empty();
        }
        boolean debian = Files.exists(root.resolve("var/lib/dpkg/status"));
        Comparator<String> order = debian ? RebootCheck::compareDebian : RebootCheck::compareRpm;
        try (Stream<Path> files = Files.list(boot)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("vmlinuz-") && !n.contains("rescue"))
                    .map(n -> n.substring("vmlinuz-".length()))
                    .max(order);
        }
    }

    private static int compareDebian(String a, String b) {
        try {
            return DebianVersion.compare(a, b);
        } catch (InvalidVersionException e) {
            return a.compareTo(b);
        }
    }

    private static int compareRpm(String a, String b) {
        try {
            // A kernel release like 5.14.0-427.13.1.el9_4.x86_64 is version-release.arch.
            return RpmVersion.compare(a, b);
        } catch (InvalidVersionException e) {
            return a.compareTo(b);
        }
    }
}
