package dev.patchtide.agent.scan.apt;

import dev.patchtide.agent.scan.FileStamp;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.version.DebianVersion;
import dev.patchtide.core.version.InvalidVersionException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Works out, without running apt, which installed packages apt would upgrade and to what: reads dpkg's
 * status database, the downloaded package indices with their Release files, and the pins, then picks
 * each package's candidate as apt's policy does (highest pin priority, then highest version; never
 * below the installed version unless a pin of 1000 or more says so).
 */
public final class AptScanner {
    private static final ReleaseInfo STATUS_FILE = new ReleaseInfo("", "", "now", "", "", "", "", false, false);
    private static final int STATUS_PRIORITY = 100;
    private static final Set<String> INSTALLED_STATES = Set.of(
            "installed", "half-configured", "unpacked", "triggers-awaited", "triggers-pending", "half-installed");

    /** The fields of a Packages index that a scan reads. */
    private static final ParagraphReader INDEX_FIELDS =
            new ParagraphReader(List.of("Package", "Architecture", "Version", "Priority", "Section"));

    private static final ParagraphReader STATUS_FIELDS =
            new ParagraphReader(List.of("Package", "Status", "Architecture", "Version"));

    private final Path root;
    private final AptLists lists = new AptLists();

    /**
     * What each list file offered for the names installed when it was read. A daemon scans every few hours
     * and apt's lists change about daily, so most scans parse no list at all.
     */
    private final Map<Path, ListEntries> listCache = new HashMap<>();

    private FileStamp statusStamp;
    private Map<String, Installed> statusCache = Map.of();
    private List<InstalledPackage> inventoryCache;
    private int filesParsed;

    /** {@code root} is "/" on a real host; tests point it at a fixture tree. */
    public AptScanner(Path root) {
        this.root = root;
    }

    private record Installed(String name, String arch, String version) {}

    private record Offer(DebianVersion version, String text, ReleaseInfo release, String priority, String section) {}

    /** A paragraph of a Packages index for an installed name; {@code parsed} is null for a broken version. */
    private record Entry(
            String name, String arch, String version, DebianVersion parsed, String priority, String section) {}

    private record ListEntries(FileStamp stamp, Set<String> names, List<Entry> entries) {}

    public synchronized List<AptUpdate> upgradable() throws IOException {
        String nativeArch = nativeArchitecture();
        Map<String, Installed> installed = installedPackages(nativeArch);
        Set<String> names = new HashSet<>();
        installed.values().forEach(p -> names.add(p.name()));
        List<AptPin> pins = AptPreferences.read(root.resolve("etc/apt"));
        Map<String, List<Offer>> offers = new HashMap<>();
        Set<Path> present = new HashSet<>();
        for (AptLists.Index index : lists.discover(root.resolve("var/lib/apt/lists"))) {
            present.add(index.packages());
            for (Entry e : entries(index.packages(), names)) {
                String key = key(e.name(), e.arch() == null ? nativeArch : e.arch(), nativeArch);
                if (e.parsed() != null && installed.containsKey(key)) {
                    offers.computeIfAbsent(key, k -> new ArrayList<>())
                            .add(new Offer(e.parsed(), e.version(), index.release(), e.priority(), e.section()));
                }
            }
        }
        listCache.keySet().retainAll(present);
        List<AptUpdate> updates = new ArrayList<>();
        for (Installed pkg : installed.values()) {
            candidate(pkg, offers.getOrDefault(key(pkg.name(), pkg.arch(), nativeArch), List.of()), pins)
                    .ifPresent(updates::add);
        }
        updates.sort(Comparator.comparing(AptUpdate::name).thenComparing(AptUpdate::architecture));
        return updates;
    }

    /**
     * The paragraphs of one list file for {@code names}: those parsed before while the file is unchanged and
     * no new name was installed since, else read again (only these names' paragraphs are decoded).
     */
    private List<Entry> entries(Path file, Set<String> names) throws IOException {
        FileStamp stamp = FileStamp.of(file);
        ListEntries known = listCache.get(file);
        if (known != null && known.stamp().equals(stamp) && known.names().containsAll(names)) {
            return known.entries();
        }
        List<Entry> entries = new ArrayList<>();
        filesParsed++;
        try (InputStream in = AptLists.openBytes(file)) {
            INDEX_FIELDS.read(in, new ParagraphReader.Names(names), f -> {
                if (f[2] != null) {
                    entries.add(new Entry(f[0], f[1], f[2], parse(f[2]).orElse(null), f[3], f[4]));
                }
            });
        }
        listCache.put(file, new ListEntries(stamp, Set.copyOf(names), List.copyOf(entries)));
        return entries;
    }

    /** How many list or status files this scanner has parsed: a repeat scan of unchanged files adds none. */
    synchronized int filesParsed() {
        return filesParsed;
    }

    /**
     * Every package dpkg has installed, with its install time taken from its file list in dpkg's info
     * directory (dpkg writes it when it unpacks the package) where that exists.
     */
    public synchronized List<InstalledPackage> installed() throws IOException {
        Map<String, Installed> current = installedPackages(nativeArchitecture());
        if (inventoryCache != null) {
            return inventoryCache;
        }
        List<InstalledPackage> packages = new ArrayList<>();
        Path info = root.resolve("var/lib/dpkg/info");
        for (Installed p : current.values()) {
            Optional<Instant> time = Optional.empty();
            for (Path list :
                    List.of(info.resolve(p.name() + ":" + p.arch() + ".list"), info.resolve(p.name() + ".list"))) {
                if (Files.exists(list)) {
                    time = Optional.of(
                            Files.getLastModifiedTime(list).toInstant().truncatedTo(ChronoUnit.SECONDS));
                    break;
                }
            }
            packages.add(new InstalledPackage(p.name(), p.arch(), p.version(), time));
        }
        packages.sort(Comparator.comparing(InstalledPackage::name).thenComparing(InstalledPackage::arch));
        inventoryCache = List.copyOf(packages);
        return inventoryCache;
    }

    /** How many packages dpkg has installed. */
    public synchronized int installedCount() throws IOException {
        return installedPackages(nativeArchitecture()).size();
    }

    private java.util.Optional<AptUpdate> candidate(Installed pkg, List<Offer> offers, List<AptPin> pins) {
        java.util.Optional<DebianVersion> parsed = parse(pkg.version());
        if (parsed.isEmpty()) {
            return java.util.Optional.empty(); // dpkg itself refuses such a status entry: nothing to upgrade from
        }
        DebianVersion installedVersion = parsed.get();
        List<Offer> all = new ArrayList<>(offers);
        all.add(new Offer(installedVersion, pkg.version(), STATUS_FILE, null, null));
        all.sort(Comparator.comparing(Offer::version).reversed());

        int max = 0;
        Offer preferred = null;
        int maxAlt = 0;
        Offer alternative = null;
        for (int i = 0; i < all.size(); ) {
            DebianVersion version = all.get(i).version();
            boolean isInstalled = version.compareTo(installedVersion) == 0;
            // Every source of this version counts; the best priority among them is the version's.
            for (; i < all.size() && all.get(i).version().compareTo(version) == 0; i++) {
                Offer offer = all.get(i);
                int priority = priority(pkg.name(), offer, pins);
                if (priority > max) {
                    max = priority;
                    preferred = offer;
                }
                if (priority > maxAlt) {
                    maxAlt = priority;
                    alternative = offer;
                }
            }
            if (isInstalled && max < 1000) {
                // Older versions are a downgrade: only a pin of 1000 or more reaches them.
                if (preferred == null) {
                    preferred = all.get(i - 1);
                }
                break;
            }
        }
        if (preferred == null) {
            preferred = alternative;
        }
        if (preferred == null || preferred.version().compareTo(installedVersion) <= 0) {
            return java.util.Optional.empty();
        }
        Offer chosen = preferred;
        Set<String> archives = new LinkedHashSet<>();
        boolean security = false;
        for (Offer o : offers) {
            if (o.version().compareTo(chosen.version()) == 0) {
                archives.add(o.release().displayName());
                security |= o.release().isSecurity();
            }
        }
        return java.util.Optional.of(new AptUpdate(
                pkg.name(),
                pkg.arch(),
                pkg.version(),
                chosen.text(),
                List.copyOf(archives),
                chosen.release().origin(),
                security,
                chosen.priority(),
                chosen.section()));
    }

    private static int priority(String packageName, Offer offer, List<AptPin> pins) {
        for (AptPin pin : pins) {
            if (!pin.isGeneric()
                    && pin.appliesToPackage(packageName)
                    && pin.matchesVersion(offer.text(), offer.release())) {
                return pin.priority();
            }
        }
        if (offer.release() == STATUS_FILE) {
            return STATUS_PRIORITY;
        }
        for (AptPin pin : pins) {
            if (pin.isGeneric() && pin.matchesIndex(offer.release())) {
                return pin.priority();
            }
        }
        return offer.release().defaultPriority();
    }

    /**
     * dpkg's status database, parsed again only when dpkg rewrote it (which it does by renaming a new file
     * over it); the inventory with install times is dropped with it.
     */
    private Map<String, Installed> installedPackages(String nativeArch) throws IOException {
        Path status = root.resolve("var/lib/dpkg/status");
        if (!Files.exists(status)) {
            statusStamp = null;
            statusCache = Map.of();
            inventoryCache = null;
            return statusCache;
        }
        FileStamp stamp = FileStamp.of(status);
        if (stamp.equals(statusStamp)) {
            return statusCache;
        }
        Map<String, Installed> installed = new HashMap<>();
        filesParsed++;
        try (InputStream in = Files.newInputStream(status)) {
            STATUS_FIELDS.read(in, null, p -> {
                String[] state = p[1] == null ? new String[0] : p[1].split("\\s+");
                if (state.length == 3 && INSTALLED_STATES.contains(state[2]) && p[3] != null) {
                    String arch = p[2] == null ? nativeArch : p[2];
                    installed.put(key(p[0], arch, nativeArch), new Installed(p[0], arch, p[3]));
                }
            });
        }
        statusStamp = stamp;
        statusCache = installed;
        inventoryCache = null;
        return installed;
    }

    /** apt files Architecture: all packages under the native architecture. */
    private static String key(String name, String arch, String nativeArch) {
        return name + ":" + (arch.equals("all") ? nativeArch : arch);
    }

    private String nativeArchitecture() throws IOException {
        Path arch = root.resolve("var/lib/dpkg/arch-native");
        if (Files.exists(arch)) {
            return Files.readString(arch).strip();
        }
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }

    private static java.util.Optional<DebianVersion> parse(String version) {
        try {
            return java.util.Optional.of(DebianVersion.parse(version));
        } catch (InvalidVersionException e) {
            return java.util.Optional.empty(); // a broken index entry must not stop the scan
        }
    }
}
