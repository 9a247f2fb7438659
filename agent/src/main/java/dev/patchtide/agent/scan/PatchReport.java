package dev.patchtide.agent.scan;

import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.scan.apt.AptScanner;
import dev.patchtide.agent.scan.apt.AptUpdate;
import dev.patchtide.agent.scan.dnf.DnfScanner;
import dev.patchtide.agent.scan.dnf.DnfUpdate;
import dev.patchtide.agent.scan.rpm.InstalledRpm;
import dev.patchtide.agent.scan.rpm.RpmDatabase;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.Inventory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scans this host with the backend that fits it (apt where dpkg is, dnf where rpm is) and builds the
 * {@code Patchtide.PutPatchScanReport} request: every available update with the attributes baselines
 * filter on, the installed inventory with its hash, and whether a reboot is pending and for which packages.
 */
public final class PatchReport {
    private final Path root;
    /** Kept across scans: each remembers what it parsed and reads again only the files that changed. */
    private final AptScanner apt;

    private final DnfScanner dnf = new DnfScanner();

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
        boolean debian = PackageFamily.require(root) == PackageFamily.APT;
        if (debian) {
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

    /** Systems Manager's OperatingSystem for this host, from os-release's ID (and VERSION_ID for Amazon Linux). */
    static String operatingSystem(Map<String, String> os) {
        String id = os.getOrDefault("ID", "").toLowerCase(Locale.ROOT);
        return switch (id) {
            case "debian" -> "DEBIAN";
            case "ubuntu" -> "UBUNTU";
            case "raspbian" -> "RASPBIAN";
            case "rhel" -> "REDHAT_ENTERPRISE_LINUX";
            case "rocky" -> "ROCKY_LINUX";
            case "almalinux" -> "ALMA_LINUX";
            case "centos" -> "CENTOS";
            case "ol" -> "ORACLE_LINUX";
            case "amzn" ->
                os.getOrDefault("VERSION_ID", "").startsWith("2023") ? "AMAZON_LINUX_2023" : "AMAZON_LINUX_2";
            default -> throw new IllegalStateException("this host's OS (os-release ID '" + id + "') is not supported");
        };
    }

    /** The PRODUCT patches are filed under, as DescribePatchProperties lists them (Debian12, Ubuntu22.04, …). */
    static String product(Map<String, String> os) {
        String version = os.getOrDefault("VERSION_ID", "");
        return switch (os.getOrDefault("ID", "").toLowerCase(Locale.ROOT)) {
            case "debian" -> "Debian" + version;
            case "ubuntu" -> "Ubuntu" + version;
            case "raspbian" -> "Raspbian" + version;
            case "rhel" -> "RedhatEnterpriseLinux" + version;
            case "rocky" -> "RockyLinux" + version;
            case "almalinux" -> "AlmaLinux" + version;
            case "centos" -> "CentOS" + version;
            case "ol" -> "OracleLinux" + version;
            case "amzn" -> "AmazonLinux" + version;
            default -> version;
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
