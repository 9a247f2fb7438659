package dev.patchtide.agent.scan.apt;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Debian's control-file format (deb822): paragraphs of {@code Field: value} separated by blank lines,
 * continuation lines starting with a space or tab. Field names are case-insensitive.
 */
final class Deb822 {
    private Deb822() {}

    /** Streams the paragraphs to {@code sink} (the dpkg status file and Packages lists go through {@link ParagraphReader}). */
    static void forEach(BufferedReader reader, Consumer<Map<String, String>> sink) throws IOException {
        Map<String, String> paragraph = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        String field = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isBlank()) {
                if (!paragraph.isEmpty()) {
                    sink.accept(paragraph);
                    paragraph = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                }
                field = null;
            } else if (line.charAt(0) == '#') {
                continue;
            } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (field != null) {
                    paragraph.merge(field, "\n" + line.strip(), String::concat);
                }
            } else {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue; // not a field: tolerated, as apt does for stray lines
                }
                field = line.substring(0, colon).strip();
                paragraph.put(field, line.substring(colon + 1).strip());
            }
        }
        if (!paragraph.isEmpty()) {
            sink.accept(paragraph);
        }
    }

    static List<Map<String, String>> parse(BufferedReader reader) throws IOException {
        List<Map<String, String>> all = new ArrayList<>();
        forEach(reader, all::add);
        return all;
    }
}
