package dev.patchtide.agent.scan.rpm;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * A repository's rpm-md metadata as dnf and zypper cache it: {@code repodata/repomd.xml} names the
 * {@code primary} and {@code updateinfo} files (zstd, xz, gz, bz2 or plain); this finds and opens them.
 * Shared by the dnf and zypper backends.
 */
public final class RepoMetadata {
    private final String repoId;
    private final Path repoDir;

    /** @param repoDir the folder holding {@code repodata/} */
    public RepoMetadata(String repoId, Path repoDir) {
        this.repoId = repoId;
        this.repoDir = repoDir;
    }

    public String repoId() {
        return repoId;
    }

    public Path dir() {
        return repoDir;
    }

    /** The file repomd.xml names for {@code type} ("primary", "updateinfo", …), if it names one. */
    public Optional<Path> file(String type) throws IOException {
        Path repomd = repoDir.resolve("repodata/repomd.xml");
        if (!Files.exists(repomd)) {
            throw new IOException("no repodata/repomd.xml in " + repoDir);
        }
        try (InputStream in = Files.newInputStream(repomd)) {
            XMLStreamReader xml = factory().createXMLStreamReader(in);
            String currentType = null;
            while (xml.hasNext()) {
                if (xml.next() == XMLStreamConstants.START_ELEMENT) {
                    if (xml.getLocalName().equals("data")) {
                        currentType = xml.getAttributeValue(null, "type");
                    } else if (xml.getLocalName().equals("location") && type.equals(currentType)) {
                        return Optional.of(inside(xml.getAttributeValue(null, "href"), repomd));
                    }
                }
            }
            return Optional.empty();
        } catch (XMLStreamException e) {
            throw new IOException("malformed " + repomd + ": " + e.getMessage(), e);
        }
    }

    /** The location's file, refused when the href is missing or leaves the repository's folder. */
    private Path inside(String href, Path repomd) throws IOException {
        Path file = href == null ? null : repoDir.resolve(href).normalize();
        if (file == null || !file.startsWith(repoDir.normalize())) {
            throw new IOException(repomd + " names a metadata file outside its repository: " + href);
        }
        return file;
    }

    /** Opens a metadata file, decompressed as its name says (.zst, .xz, .gz, .bz2; else plain). */
    public static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        String name = file.getFileName().toString();
        if (name.endsWith(".gz")) {
            return new GZIPInputStream(raw, 1 << 16);
        }
        if (name.endsWith(".xz")) {
            return new org.tukaani.xz.XZInputStream(raw);
        }
        if (name.endsWith(".bz2")) {
            return new BZip2CompressorInputStream(raw, true);
        }
        if (name.endsWith(".zst")) {
            // Pure Java (no native library to unpack on the host the agent patches).
            return new ZstdInputStream(raw);
        }
        return raw;
    }

    /** A StAX factory safe for metadata from mirrors. */
    public static XMLInputFactory factory() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        // Metadata comes from mirrors: no DTDs, no external entities.
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return factory;
    }
}
