package dev.patchtide.agent.scan.apt;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The pins of {@code /etc/apt/preferences} and {@code /etc/apt/preferences.d/*}, in apt's reading order. */
final class AptPreferences {
    private AptPreferences() {}

    static List<AptPin> read(Path etcApt) throws IOException {
        List<Path> files = new ArrayList<>();
        Path main = etcApt.resolve("preferences");
        if (Files.isRegularFile(main)) {
            files.add(main);
        }
        Path dir = etcApt.resolve("preferences.d");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                // apt reads files whose names are letters, digits, '_', '-', '.' and end in .pref or have no dot.
                entries.filter(Files::isRegularFile)
                        .filter(p -> p.getFileName().toString().matches("[A-Za-z0-9_.-]+"))
                        .filter(p -> !p.getFileName().toString().contains(".")
                                || p.getFileName().toString().endsWith(".pref"))
                        .sorted()
                        .forEach(files::add);
            }
        }
        List<AptPin> pins = new ArrayList<>();
        for (Path file : files) {
            try (BufferedReader reader = Files.newBufferedReader(file)) {
                for (Map<String, String> p : Deb822.parse(reader)) {
                    if (p.containsKey("Explanation") && !p.containsKey("Package")) {
                        continue;
                    }
                    pins.add(AptPin.parse(p.get("Package"), p.get("Pin"), p.get("Pin-Priority"), file.toString()));
                }
            }
        }
        return pins;
    }
}
