package dev.patchtide.agent.scan.apt;

import dev.patchtide.agent.scan.FileStamp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The package indices apt downloaded into {@code /var/lib/apt/lists}: each {@code …_Packages} file
 * (plain or compressed as apt may keep it) paired with the {@code …_InRelease}/{@code …_Release} file of
 * its distribution. File names encode the source: {@code host_path_dists_suite_component_binary-arch_Packages}.
 */
final class AptLists {
    record Index(Path packages, ReleaseInfo release) {}

    private record Release(FileStamp stamp, Map<String, String> fields) {}

    /** The Release files parsed so far, reused while unchanged: an InRelease file is some 150 KB of hashes. */
    private final Map<Path, Release> releases = new HashMap<>();

    List<Index> discover(Path listsDir) throws IOException {
        if (!Files.isDirectory(listsDir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> entries = Files.list(listsDir)) {
            files = entries.filter(Files::isRegularFile).sorted().toList();
        }
        List<String> releasePrefixes = new ArrayList<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith("_InRelease") || name.endsWith("_Release")) {
                releasePrefixes.add(name.substring(0, name.lastIndexOf('_')));
            }
        }
        releasePrefixes.sort(Comparator.comparingInt(String::length).reversed());
        List<Index> indices = new ArrayList<>();
        for (Path f : files) {
            String name = stripCompression(f.getFileName().toString());
            if (!name.endsWith("_Packages")) {
                continue;
            }
            Optional<String> prefix = releasePrefixes.stream()
                    .filter(p -> name.startsWith(p + "_"))
                    .findFirst();
            Map<String, String> release = prefix.isPresent() ? readRelease(listsDir, prefix.get()) : Map.of();
            String middle = prefix.map(p -> name.substring(p.length() + 1)).orElse(name);
            int binary = middle.lastIndexOf("_binary-");
            String component = binary > 0 ? middle.substring(0, binary).replace('_', '/') : "";
            String site = name.substring(0, name.indexOf('_'));
            indices.add(new Index(f, ReleaseInfo.of(release, component, site)));
        }
        return indices;
    }

    /** The uncompressed bytes of a list file, whichever compression apt keeps it in. */
    static InputStream openBytes(Path file) throws IOException {
        // Buffered: the LZ4 decoder reads a few bytes at a time, and unbuffered file reads triple its cost.
        InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16);
        String name = file.getFileName().toString();
        InputStream in;
        if (name.endsWith(".lz4")) {
            in = new Lz4FrameInputStream(raw);
        } else if (name.endsWith(".gz")) {
            in = new java.util.zip.GZIPInputStream(raw, 1 << 16);
        } else if (name.endsWith(".xz")) {
            in = new org.tukaani.xz.XZInputStream(raw);
        } else {
            in = raw;
        }
        return in;
    }

    private Map<String, String> readRelease(Path dir, String prefix) throws IOException {
        for (String suffix : List.of("_InRelease", "_Release")) {
            Path file = dir.resolve(prefix + suffix);
            if (Files.exists(file)) {
                FileStamp stamp = FileStamp.of(file);
                Release known = releases.get(file);
                if (known != null && known.stamp().equals(stamp)) {
                    return known.fields();
                }
                List<Map<String, String>> paragraphs = Deb822.parse(new BufferedReader(
                        new java.io.StringReader(stripSignature(Files.readString(file, StandardCharsets.UTF_8)))));
                Map<String, String> fields = paragraphs.isEmpty() ? Map.of() : paragraphs.getFirst();
                releases.put(file, new Release(stamp, fields));
                return fields;
            }
        }
        return Map.of();
    }

    /** An InRelease file is the Release text inside an OpenPGP clear-signed message. */
    static String stripSignature(String text) {
        if (!text.startsWith("-----BEGIN PGP SIGNED MESSAGE-----")) {
            return text;
        }
        int body = text.indexOf("\n\n");
        int signature = text.indexOf("\n-----BEGIN PGP SIGNATURE-----");
        return text.substring(body + 2, signature < 0 ? text.length() : signature);
    }

    private static String stripCompression(String name) {
        for (String ext : List.of(".lz4", ".gz", ".xz")) {
            if (name.endsWith(ext)) {
                return name.substring(0, name.length() - ext.length());
            }
        }
        return name;
    }
}
