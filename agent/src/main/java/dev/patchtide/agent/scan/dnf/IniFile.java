package dev.patchtide.agent.scan.dnf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * dnf's configuration syntax (dnf.conf, *.repo): {@code [section]} headers, {@code key=value} lines, {@code #} and
 * {@code ;} comments, and a line starting with white space continuing the value above it (a list of baseurls).
 * Keys are case-sensitive, as libdnf reads them; a key given twice keeps the last value.
 */
final class IniFile {
    /** A configuration file is a few kB; one this large is not one. */
    static final long MAX_BYTES = 1 << 20;

    private IniFile() {}

    /** Section name to its options, in file order. */
    static Map<String, Map<String, String>> read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException(file + " is larger than " + MAX_BYTES + " bytes: not a dnf configuration file");
        }
        return parse(Files.readAllLines(file), file.toString());
    }

    static Map<String, Map<String, String>> parse(List<String> lines, String source) throws IOException {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = null;
        String lastKey = null;
        int number = 0;
        for (String line : lines) {
            number++;
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#") || stripped.startsWith(";")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0)) && current != null && lastKey != null) {
                current.merge(lastKey, stripped, (a, b) -> a.isEmpty() ? b : a + "\n" + b);
                continue;
            }
            if (stripped.startsWith("[")) {
                if (!stripped.endsWith("]") || stripped.length() < 3) {
                    throw new IOException(source + " line " + number + ": malformed section header");
                }
                current = sections.computeIfAbsent(
                        stripped.substring(1, stripped.length() - 1).strip(), k -> new LinkedHashMap<>());
                lastKey = null;
                continue;
            }
            int eq = stripped.indexOf('=');
            if (eq <= 0 || current == null) {
                throw new IOException(source + " line " + number + ": expected key=value inside a [section]");
            }
            lastKey = stripped.substring(0, eq).strip();
            current.put(lastKey, stripped.substring(eq + 1).strip());
        }
        return sections;
    }
}
