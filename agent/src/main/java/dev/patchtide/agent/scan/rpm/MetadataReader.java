package dev.patchtide.agent.scan.rpm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Streams the packages of primary.xml and the advisories of updateinfo.xml (StAX: big files, little memory).
 * Shared by the dnf and zypper backends.
 */
public final class MetadataReader {
    private MetadataReader() {}

    /** The packages named in {@code names} (all when null): the rest are skipped without an object made. */
    public static List<RpmPackage> primaryPackages(Path file, Set<String> names) throws IOException {
        List<RpmPackage> packages = new ArrayList<>();
        try (InputStream in = RepoMetadata.open(file)) {
            XMLStreamReader xml = RepoMetadata.factory().createXMLStreamReader(in);
            String name = null;
            String arch = null;
            int depth = 0;
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    String element = xml.getLocalName();
                    if (element.equals("package")) {
                        name = null;
                        arch = null;
                    } else if (depth == 3 && element.equals("name")) {
                        name = xml.getElementText().strip();
                        depth--;
                    } else if (depth == 3 && element.equals("arch")) {
                        arch = xml.getElementText().strip();
                        depth--;
                    } else if (depth == 3
                            && element.equals("version")
                            && name != null
                            && arch != null
                            && (names == null || names.contains(name))) {
                        packages.add(new RpmPackage(
                                name,
                                arch,
                                orZero(xml.getAttributeValue(null, "epoch")),
                                xml.getAttributeValue(null, "ver"),
                                xml.getAttributeValue(null, "rel")));
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    depth--;
                }
            }
        } catch (XMLStreamException e) {
            throw new IOException("malformed primary metadata " + file + ": " + e.getMessage(), e);
        }
        return packages;
    }

    /** The advisories that fix a package named in {@code names} (all when null). */
    public static List<Advisory> advisories(Path file, Set<String> names) throws IOException {
        List<Advisory> advisories = new ArrayList<>();
        try (InputStream in = RepoMetadata.open(file)) {
            XMLStreamReader xml = RepoMetadata.factory().createXMLStreamReader(in);
            AdvisoryBuilder current = null;
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == XMLStreamConstants.START_ELEMENT
                        && (current != null || xml.getLocalName().equals("update"))) {
                    switch (xml.getLocalName()) {
                        case "update" -> current = new AdvisoryBuilder(xml.getAttributeValue(null, "type"));
                        case "id" -> current.id = xml.getElementText().strip();
                        case "severity" ->
                            current.severity = xml.getElementText().strip();
                        case "issued" -> current.issued = orEmpty(xml.getAttributeValue(null, "date"));
                        case "reference" -> {
                            if ("cve".equals(xml.getAttributeValue(null, "type"))) {
                                current.cves.add(xml.getAttributeValue(null, "id"));
                            }
                        }
                        case "package" ->
                            current.packages.add(new RpmPackage(
                                    xml.getAttributeValue(null, "name"),
                                    xml.getAttributeValue(null, "arch"),
                                    orZero(xml.getAttributeValue(null, "epoch")),
                                    xml.getAttributeValue(null, "version"),
                                    xml.getAttributeValue(null, "release")));
                        default -> {}
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT
                        && xml.getLocalName().equals("update")
                        && current != null) {
                    if (names == null || current.packages.stream().anyMatch(p -> names.contains(p.name()))) {
                        advisories.add(current.build());
                    }
                    current = null;
                }
            }
        } catch (XMLStreamException e) {
            throw new IOException("malformed updateinfo metadata " + file + ": " + e.getMessage(), e);
        }
        return advisories;
    }

    private static final class AdvisoryBuilder {
        final String type;
        String id = "";
        String severity = "";
        String issued = "";
        final List<String> cves = new ArrayList<>();
        final List<RpmPackage> packages = new ArrayList<>();

        AdvisoryBuilder(String type) {
            this.type = orEmpty(type);
        }

        Advisory build() {
            return new Advisory(id, type, severity, issued, List.copyOf(cves), List.copyOf(packages));
        }
    }

    private static String orZero(String epoch) {
        return epoch == null || epoch.isEmpty() ? "0" : epoch;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
