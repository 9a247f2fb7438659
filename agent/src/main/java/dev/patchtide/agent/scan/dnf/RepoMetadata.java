package dev.patchtide.agent.scan.dnf;

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
 * A repository's metadata as dnf caches it: {@code repodata/repomd.xml} names the {@code primary} and
 * {@code updateinfo} files (gz, xz, bz2 or plain); this finds and opens them.
 */
public final class RepoMetadata {
    private final String repoId;
    private final Path repoDir;

    RepoMetadata(String repoId, Path repoDir) {
        this.repoId = repoId;
        this.repoDir = repoDir;
    }

    public String repoId() {
        return repoId;
    }

    Optional<Path> file(String type) throws IOException {
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
                        return Optional.of(repoDir.resolve(xml.getAttributeValue(null, "href")));
                    }
                }
            }
            return Optional.empty();
        } catch (XMLStreamException e) {
            throw new IOException("malformed " + repomd + ": " + e.getMessage(), e);
        }
    }

    static InputStream open(Path file) throws IOException {
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
            raw.close();
            throw new IOException(file + " is zstd-compressed, which this agent cannot read yet; set"
                    + " compress_type or use gz/xz metadata for this repository");
        }
        return raw;
    }

    static XMLInputFactory factory() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        // Metadata comes from mirrors: no DTDs, no external entities.
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return factory;
    }
}
