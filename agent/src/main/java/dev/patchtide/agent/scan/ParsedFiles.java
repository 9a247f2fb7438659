package dev.patchtide.agent.scan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Repository metadata parsed by file, reused while the file is unchanged ({@link FileStamp}) and no newly
 * installed name needs entries the first read left out: package managers replace metadata under a new file name
 * when they refresh, so a daemon's repeat scan parses nothing. Not thread-safe: its scanner serialises scans.
 */
public final class ParsedFiles<T> {
    /** Reads the entries of {@code file} that concern {@code names} (all of them, for a reader that ignores it). */
    @FunctionalInterface
    public interface Reader<T> {
        List<T> read(Path file, Set<String> names) throws IOException;
    }

    private record Parsed<T>(FileStamp stamp, Set<String> names, List<T> items) {}

    private final Map<Path, Parsed<T>> byFile = new HashMap<>();
    private int filesParsed;

    /** The entries of {@code file}, parsed again only when it changed or a name is new. */
    public List<T> get(Path file, Set<String> names, Reader<T> reader) throws IOException {
        FileStamp stamp = FileStamp.of(file);
        Parsed<T> known = byFile.get(file);
        if (known != null && known.stamp().equals(stamp) && known.names().containsAll(names)) {
            return known.items();
        }
        filesParsed++;
        List<T> items = List.copyOf(reader.read(file, names));
        byFile.put(file, new Parsed<>(stamp, Set.copyOf(names), items));
        return items;
    }

    /** Forgets the files a scan no longer found (their repository was removed or refreshed under a new name). */
    public void keepOnly(Set<Path> present) {
        byFile.keySet().retainAll(present);
    }

    /** How many files were parsed so far: a repeat scan of unchanged metadata adds none. */
    public int filesParsed() {
        return filesParsed;
    }
}
