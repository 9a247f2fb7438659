package dev.patchtide.agent.scan.zypper;

import dev.patchtide.agent.scan.rpm.RepoMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The rpm-md metadata zypper keeps of a repository after {@code zypper refresh}: under
 * {@code var/cache/zypp/raw/<alias>/repodata}, repomd.xml names the primary (packages) and updateinfo
 * (patches) files (read through the shared {@link RepoMetadata}: gz, xz, bz2, zstd). Both are streamed (StAX):
 * only the packages of installed names become objects.
 */
final class RawMetadata {
    private RawMetadata() {}

    /** The raw cache of {@code alias} under {@code root}; empty when zypper has not refreshed it. */
    static Optional<Path> cacheDir(Path root, String alias) {
        Path dir = root.resolve("var/cache/zypp/raw").resolve(alias);
        return Files.exists(dir.resolve("repodata/repomd.xml")) ? Optional.of(dir) : Optional.empty();
    }

    /** Where repomd.xml says the metadata of {@code type} (primary, updateinfo) is. */
    static Optional<Path> file(Path repoDir, String alias, String type) throws IOException {
        return new RepoMetadata(alias, repoDir).file(type);
    }

    /** The binary packages of primary.xml named in {@code names} (source packages are not installable). */
    static List<ZyppPackage> packages(Path file, Set<String> names) throws IOException {
        List<ZyppPackage> packages = new ArrayList<>();
        try (InputStream in = RepoMetadata.open(file)) {
            XMLStreamReader xml = RepoMetadata.factory().createXMLStreamReader(in);
            String name = null;
            String arch = null;
            String[] evr = null;
            String vendor = "";
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    switch (xml.getLocalName()) {
                        case "package" -> {
                            name = null;
                            arch = null;
                            evr = null;
                            vendor = "";
                        }
                        case "name" -> name = xml.getElementText().strip();
                        case "arch" -> arch = xml.getElementText().strip();
                        case "version" ->
                            evr = new String[] {
                                orZero(xml.getAttributeValue(null, "epoch")),
                                xml.getAttributeValue(null, "ver"),
                                xml.getAttributeValue(null, "rel")
                            };
                        case "vendor" -> vendor = xml.getElementText().strip();
                        default -> {}
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT
                        && xml.getLocalName().equals("package")
                        && name != null
                        && arch != null
                        && evr != null
                        && !arch.equals("src")
                        && !arch.equals("nosrc")
                        && names.contains(name)) {
                    packages.add(new ZyppPackage(name, arch, evr[0], evr[1], evr[2], vendor));
                }
            }
        } catch (XMLStreamException e) {
            throw new IOException("malformed primary metadata " + file + ": " + e.getMessage(), e);
        }
        return packages;
    }

    /** The patches of updateinfo.xml; {@code repository} is the alias they are listed under. */
    static List<Patch> patches(Path file, String repository) throws IOException {
        List<Patch> patches = new ArrayList<>();
        try (InputStream in = RepoMetadata.open(file)) {
            XMLStreamReader xml = RepoMetadata.factory().createXMLStreamReader(in);
            PatchBuilder current = null;
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == XMLStreamConstants.START_ELEMENT
                        && (current != null || xml.getLocalName().equals("update"))) {
                    switch (xml.getLocalName()) {
                        case "update" -> current = new PatchBuilder(orEmpty(xml.getAttributeValue(null, "type")));
                        case "id" -> current.id = xml.getElementText().strip();
                        case "title" -> current.summary = xml.getElementText().strip();
                        case "severity" ->
                            current.severity = xml.getElementText().strip().toLowerCase(Locale.ROOT);
                        case "issued" -> current.issued = issued(xml.getAttributeValue(null, "date"));
                        case "reboot_suggested" -> {
                            String text = xml.getElementText().strip().toLowerCase(Locale.ROOT);
                            current.reboot |= !text.equals("false") && !text.equals("0");
                        }
                        case "reference" -> {
                            if ("cve".equals(xml.getAttributeValue(null, "type"))) {
                                current.cves.add(xml.getAttributeValue(null, "id"));
                            }
                        }
                        case "package" ->
                            current.packages.add(new ZyppPackage(
                                    xml.getAttributeValue(null, "name"),
                                    xml.getAttributeValue(null, "arch"),
                                    orZero(xml.getAttributeValue(null, "epoch")),
                                    xml.getAttributeValue(null, "version"),
                                    xml.getAttributeValue(null, "release"),
                                    ""));
                        default -> {}
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT
                        && xml.getLocalName().equals("update")
                        && current != null) {
                    patches.add(current.build(repository));
                    current = null;
                }
            }
        } catch (XMLStreamException e) {
            throw new IOException("malformed updateinfo metadata " + file + ": " + e.getMessage(), e);
        }
        return patches;
    }

    /** SUSE writes seconds since the epoch; the Fedora tools write "2026-01-31 10:00:00". */
    static long issued(String date) {
        if (date == null || date.isBlank()) {
            return 0;
        }
        String d = date.strip();
        if (d.matches("\\d{1,12}")) {
            return Long.parseLong(d);
        }
        try {
            return LocalDateTime.parse(
                            d.length() == 10 ? d + " 00:00:00" : d.substring(0, Math.min(d.length(), 19)),
                            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"))
                    .toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    private static final class PatchBuilder {
        final String category;
        String id = "";
        String summary = "";
        String severity = "";
        long issued;
        boolean reboot;
        final List<String> cves = new ArrayList<>();
        final List<ZyppPackage> packages = new ArrayList<>();

        PatchBuilder(String category) {
            this.category = category.toLowerCase(Locale.ROOT);
        }

        Patch build(String repository) {
            return new Patch(
                    id,
                    category,
                    severity,
                    issued,
                    summary,
                    reboot,
                    List.copyOf(cves),
                    List.copyOf(packages),
                    repository);
        }
    }

    private static String orZero(String epoch) {
        return epoch == null || epoch.isEmpty() ? "0" : epoch;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
