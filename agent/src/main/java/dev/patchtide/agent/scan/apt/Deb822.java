package dev.patchtide.agent.scan.apt;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Debian's control-file format (deb822): paragraphs of {@code Field: value} separated by blank lines,
 * continuation lines starting with a space or tab. Field names are case-insensitive.
 */
final class Deb822 {
    private Deb822() {}

    /** Streams the paragraphs to {@code sink}, so a 60 MB Packages file is never held whole. */
    static void forEach(BufferedReader reader, Consumer<Map<String, String>> sink) throws IOException {
        forEach(reader, null, sink);
    }

    /**
     * Streams the paragraphs keeping only the {@code wanted} fields (all when null). A Packages index has
     * some twenty fields a paragraph, long descriptions among them, and a scan needs four: skipping the rest
     * is most of the parsing time saved.
     */
    static void forEach(BufferedReader reader, Set<String> wanted, Consumer<Map<String, String>> sink)
            throws IOException {
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
                field = wanted == null ? line.substring(0, colon).strip() : wantedName(line, colon, wanted);
                if (field != null) {
                    paragraph.put(field, line.substring(colon + 1).strip());
                }
            }
        }
        if (!paragraph.isEmpty()) {
            sink.accept(paragraph);
        }
    }

    /** The wanted field name that {@code line} starts with, compared without allocating; null when unwanted. */
    private static String wantedName(String line, int colon, Set<String> wanted) {
        int end = colon;
        while (end > 0 && Character.isWhitespace(line.charAt(end - 1))) {
            end--;
        }
        for (String name : wanted) {
            if (name.length() == end && line.regionMatches(true, 0, name, 0, end)) {
                return name;
            }
        }
        return null;
    }

    static List<Map<String, String>> parse(BufferedReader reader) throws IOException {
        List<Map<String, String>> all = new ArrayList<>();
        forEach(reader, all::add);
        return all;
    }
}
