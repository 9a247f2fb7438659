package dev.patchtide.agent.scan;

import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.scan.apt.AptScanner;
import dev.patchtide.agent.scan.apt.AptUpdate;
import dev.patchtide.agent.scan.dnf.DnfScanner;
import dev.patchtide.agent.scan.dnf.DnfUpdate;
import dev.patchtide.agent.scan.rpm.InstalledRpm;
import dev.patchtide.agent.scan.rpm.RpmDatabase;
import dev.patchtide.agent.scan.zypper.InstalledRpms;
import dev.patchtide.agent.scan.zypper.ZypperRepo;
import dev.patchtide.agent.scan.zypper.ZypperRepos;
import dev.patchtide.agent.scan.zypper.ZypperScanner;
import dev.patchtide.agent.scan.zypper.ZypperUpdate;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.Inventory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scans this host with the backend that fits it (apt where dpkg is, zypper where rpm and zypper's repositories are,
 * dnf where rpm is) and builds the
 * {@code Patchtide.PutPatchScanReport} request: every available update with the attributes baselines
 * filter on, the installed inventory with its hash, and whether a reboot is pending and for which packages.
 */
public final class PatchReport {
    private final Path root;
    /** Kept across scans: each remembers what it parsed and reads again only the files that changed. */
    private final AptScanner apt;

    private final DnfScanner dnf = new DnfScanner();
    private final ZypperScanner zypper = new ZypperScanner();

    /** A scanner of the host tree at {@code root} ("/" on a real host) that a daemon keeps for its repeat scans. */
    public PatchReport(Path root) {
        this.root = root;
        this.apt = new AptScanner(root);
    }

    /** One scan by a fresh scanner (a one-shot command). */
    public static Map<String, Object> scan(Path root, String instanceId) throws IOException {
        return scan(root, instanceId, InstantSource.system());
    }

    /**
     * As above, the scan's start and end times (its capture time: the server files the result under it, however
     * late the report arrives) taken from {@code clock}.
     */
    public static Map<String, Object> scan(Path root, String instanceId, InstantSource clock) throws IOException {
        return new PatchReport(root).scan(instanceId, clock);
    }

    public Map<String, Object> scan(String instanceId, InstantSource clock) throws IOException {
        Instant start = clock.instant();
        Map<String, String> os = HostFacts.osRelease(root);
        String operatingSystem = operatingSystem(os);
        String product = product(os);
        List<Map<String, Object>> patches = new ArrayList<>();
        int installed;
        List<InstalledPackage> inventory;
        PackageFamily family = PackageFamily.require(root);
        boolean debian = family == PackageFamily.APT;
        if (family == PackageFamily.ZYPPER) {
            List<InstalledRpms.Installed> rpms = InstalledRpms.read(root);
            inventory = rpms.stream()
                    .map(r -> new InstalledPackage(
                            r.pkg().name(), r.pkg().arch(), r.pkg().edition(), r.installedTime()))
                    .toList();
            patches.addAll(zypperPatches(rpms, os, product));
            installed = rpms.size();
        } else if (debian) {
            for (AptUpdate u : apt.upgradable()) {
                patches.add(patch(
                        u.name(),
                        u.architecture(),
                        u.installedVersion(),
                        u.candidateVersion(),
                        product,
                        "",
                        "",
                        capitalize(u.priority()),
                        u.section(),
                        u.security(),
                        null,
                        List.of()));
            }
            inventory = apt.installed();
            installed = inventory.size();
        } else {
            List<InstalledRpm> rpms = RpmDatabase.of(root).orElseThrow().installed();
            inventory = rpms.stream()
                    .map(r -> new InstalledPackage(
                            r.pkg().name(), r.pkg().arch(), r.pkg().evrText(), r.installTime()))
                    .toList();
            for (DnfUpdate u :
                    dnf.scan(root, rpms.stream().map(InstalledRpm::pkg).toList())) {
                patches.add(patch(
                        u.name(),
                        u.arch(),
                        u.installed(),
                        u.available(),
                        product,
                        u.classification(),
                        u.severity(),
                        "",
                        "",
                        u.classification().equals("Security"),
                        u.issued().length() >= 10 ? u.issued().substring(0, 10) : null,
                        u.cves()));
            }
            installed = rpms.size();
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("InstanceId", instanceId);
        report.put("OperatingSystem", operatingSystem);
        report.put("OperationStartTime", start.toEpochMilli() / 1000.0);
        report.put("OperationEndTime", clock.instant().toEpochMilli() / 1000.0);
        report.put("Product", product);
        report.put("InstalledCount", installed);
        report.put("InventoryHash", Inventory.hash(inventory));
        report.put(
                "Inventory", inventory.stream().map(PatchReport::inventoryEntry).toList());
        RebootCheck.RebootStatus reboot = new RebootCheck(root).check();
        report.put("RebootRequired", reboot.required());
        report.put("RebootRequiredPackages", reboot.required() ? reboot.pendingPackages(debian) : List.of());
        report.put("Patches", patches);
        return report;
    }

    /** Systems Manager's OperatingSystem for this host (see {@link OperatingSystem}). */
    static String operatingSystem(Map<String, String> os) {
        return OperatingSystem.detect(os).name();
    }

    /** The PRODUCT patches are filed under, as DescribePatchProperties lists them (Debian12, Suse15.5, …). */
    static String product(Map<String, String> os) {
        return OperatingSystem.detect(os).product();
    }

    /** The updates zypper would make, each classified by the patches that carry it (see {@link ZypperScanner}). */
    private List<Map<String, Object>> zypperPatches(
            List<InstalledRpms.Installed> rpms, Map<String, String> os, String product) throws IOException {
        List<ZypperRepo> repos = ZypperRepos.read(root, os.getOrDefault("VERSION_ID", ""), systemArch());
        List<Map<String, Object>> patches = new ArrayList<>();
        for (ZypperUpdate u : zypper.scan(
                        root, rpms.stream().map(InstalledRpms.Installed::pkg).toList(), repos)
                .updates()) {
            patches.add(patch(
                    u.name(),
                    u.arch(),
                    u.installed(),
                    u.available(),
                    product,
                    u.classification(),
                    u.severity(),
                    "",
                    "",
                    u.classification().equals("Security"),
                    u.issued() > 0
                            ? LocalDate.ofInstant(Instant.ofEpochSecond(u.issued()), ZoneOffset.UTC)
                                    .toString()
                            : null,
                    u.cves()));
        }
        return patches;
    }

    /** The architecture rpm names for this machine (the JVM says amd64 where rpm says x86_64). */
    public static String systemArch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64" -> "x86_64";
            case "x86" -> "i686";
            default -> arch;
        };
    }

    private static Map<String, Object> patch(
            String name,
            String arch,
            String installed,
            String available,
            String product,
            String classification,
            String severity,
            String priority,
            String section,
            boolean security,
            String releaseDate,
            List<String> cves) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("Name", name);
        p.put("Arch", arch);
        p.put("InstalledVersion", installed);
        p.put("AvailableVersion", available);
        p.put("Product", product);
        p.put("Classification", classification);
        p.put("Severity", severity);
        p.put("Priority", priority);
        p.put("Section", section == null ? "" : section);
        p.put("Security", security);
        if (releaseDate != null) {
            p.put("ReleaseDate", releaseDate);
        }
        p.put("CVEIds", cves);
        return p;
    }

    private static Map<String, Object> inventoryEntry(InstalledPackage p) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("Name", p.name());
        entry.put("Arch", p.arch());
        entry.put("Version", p.version());
        p.installedTime().ifPresent(t -> entry.put("InstalledTime", t.getEpochSecond()));
        return entry;
    }

    /** Debian writes priorities in lower case; baselines (and AWS) name them capitalised. */
    private static String capitalize(String priority) {
        if (priority == null || priority.isEmpty()) {
            return "";
        }
        return Character.toUpperCase(priority.charAt(0)) + priority.substring(1);
    }
}
