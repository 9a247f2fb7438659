package dev.patchtide.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What one package installs, in the terms both formats share: directories and files at absolute paths, owned
 * by root, with their modes; and the package's name, version and words. The .deb and .rpm writers read it.
 */
record PackageContent(
        String name, String version, String summary, String description, List<Entry> entries, List<String> conffiles) {

    /** One thing the package installs. */
    sealed interface Entry permits Dir, File {
        String path();

        int mode();
    }

    record Dir(String path, int mode) implements Entry {}

    record File(String path, Path source, int mode) implements Entry {}

    PackageContent {
        for (Entry e : entries) {
            if (!e.path().startsWith("/") || e.path().contains("..")) {
                throw new IllegalArgumentException("package path must be absolute and plain: " + e.path());
            }
        }
        entries = List.copyOf(entries);
        conffiles = List.copyOf(conffiles);
    }

    /** Builds the entry list: parents before children, as both archive formats want them. */
    static final class Builder {
        private final List<Entry> entries = new ArrayList<>();

        Builder dir(String path, int mode) {
            entries.add(new Dir(path, mode));
            return this;
        }

        Builder file(String path, Path source, int mode) {
            entries.add(new File(path, source, mode));
            return this;
        }

        /** A whole tree (the runtime): executables keep 0755, the rest 0644, directories 0755. */
        Builder tree(String path, Path source) throws IOException {
            try (Stream<Path> walk = Files.walk(source)) {
                for (Path p : walk.sorted().toList()) {
                    String target = p.equals(source)
                            ? path
                            : path + "/" + source.relativize(p).toString().replace('\\', '/');
                    if (Files.isDirectory(p)) {
                        dir(target, 0755);
                    } else {
                        file(target, p, Files.isExecutable(p) ? 0755 : 0644);
                    }
                }
            }
            return this;
        }

        List<Entry> entries() {
            return List.copyOf(entries);
        }
    }
}
