package dev.patchtide.agent.install;

import dev.patchtide.agent.scan.RebootCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Adds what an install put on the host to {@link RebootCheck#INSTALLED_SINCE_BOOT}, for this boot. */
final class PendingReboot {
    private PendingReboot() {}

    /** @param installed name=version of each package installed */
    static void record(Path root, List<String> installed) throws IOException {
        Optional<String> boot = RebootCheck.bootId(root);
        if (installed.isEmpty() || boot.isEmpty()) {
            return;
        }
        Set<String> lines = new LinkedHashSet<>(RebootCheck.installedSinceBoot(root));
        lines.addAll(installed);
        List<String> content = new ArrayList<>();
        content.add("boot " + boot.get());
        content.addAll(lines);
        Path file = root.resolve(RebootCheck.INSTALLED_SINCE_BOOT);
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temp, content);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
