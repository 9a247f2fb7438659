package dev.patchtide.agent.install;

import dev.patchtide.agent.scan.rpm.RpmDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * For a package manager working on a host tree other than "/": a private HOME whose {@code .rpmmacros} names the
 * tree's rpm database ({@code %_dbpath}), so the rpm library under dnf opens that database and no other. Deleted
 * when closed. On "/" (or with no database found) it changes nothing.
 */
final class RpmHome implements AutoCloseable {
    private final Optional<Path> home;

    private RpmHome(Optional<Path> home) {
        this.home = home;
    }

    static RpmHome of(Path root, Optional<RpmDatabase> db) throws IOException {
        if (db.isEmpty() || root.toAbsolutePath().normalize().equals(Path.of("/"))) {
            return new RpmHome(Optional.empty());
        }
        Path home = Files.createTempDirectory("patchtide-rpm-home");
        Files.writeString(home.resolve(".rpmmacros"), "%_dbpath " + db.get().dbPath() + "\n");
        return new RpmHome(Optional.of(home));
    }

    Map<String, String> environment(Map<String, String> base) {
        Map<String, String> env = new HashMap<>(base);
        home.ifPresent(h -> env.put("HOME", h.toString()));
        return env;
    }

    @Override
    public void close() throws IOException {
        if (home.isPresent()) {
            Files.deleteIfExists(home.get().resolve(".rpmmacros"));
            Files.deleteIfExists(home.get());
        }
    }
}
