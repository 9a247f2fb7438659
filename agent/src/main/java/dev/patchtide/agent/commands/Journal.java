package dev.patchtide.agent.commands;

import dev.patchtide.agent.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable record of its invocations, in {@code <stateDir>/invocations/<CommandId>/}: {@code
 * entry.json} (replaced atomically, fsync'd, owner-only) and each step's captured output ({@code <n>.stdout},
 * {@code <n>.stderr}). An invocation is in the journal before it starts, so a restarted agent knows what it
 * was doing and never starts anything twice. Finished entries whose result the server took are pruned, keeping
 * at most {@code keep} of them and none older than {@code maxAge}.
 */
final class Journal {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final String ENTRY = "entry.json";

    private final Path dir;
    private final int keep;
    private final Duration maxAge;
    private final Map<String, JournalEntry> entries = new LinkedHashMap<>();

    Journal(Path dir, int keep, Duration maxAge) {
        this.dir = dir;
        this.keep = keep;
        this.maxAge = maxAge;
        try {
            PrivateFiles.directory(dir);
            load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the command journal in " + dir, e);
        }
    }

    private void load() throws IOException {
        List<JournalEntry> found = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path sub : list.filter(Files::isDirectory).toList()) {
                Path file = sub.resolve(ENTRY);
                if (!Files.isRegularFile(file)) {
                    // a crash between creating the directory and writing the entry: nothing was started
                    deleteTree(sub);
                    continue;
                }
                try {
                    found.add(JournalJson.read(Files.readAllBytes(file)));
                } catch (IOException e) {
                    log.error("unreadable command journal entry {}: {}", file, e.getMessage());
                }
            }
        }
        found.sort(Comparator.comparing(JournalEntry::started));
        found.forEach(e -> entries.put(e.commandId(), e));
    }

    synchronized Optional<JournalEntry> get(String commandId) {
        return Optional.ofNullable(entries.get(commandId));
    }

    synchronized List<JournalEntry> all() {
        return List.copyOf(entries.values());
    }

    synchronized List<JournalEntry> unsent() {
        return entries.values().stream().filter(JournalEntry::unsent).toList();
    }

    /** Records a new entry; false (and nothing written) if the journal already has one for its command. */
    synchronized boolean create(JournalEntry entry) throws IOException {
        if (entries.containsKey(entry.commandId())) {
            return false;
        }
        PrivateFiles.directory(entryDir(entry.commandId()));
        PrivateFiles.syncDirectory(dir);
        write(entry);
        return true;
    }

    /** Changes an entry and writes it through before returning it. */
    synchronized JournalEntry update(String commandId, UnaryOperator<JournalEntry> change) throws IOException {
        JournalEntry current = entries.get(commandId);
        if (current == null) {
            throw new IllegalStateException("no journal entry for command " + commandId);
        }
        JournalEntry next = change.apply(current);
        write(next);
        return next;
    }

    private void write(JournalEntry entry) throws IOException {
        PrivateFiles.write(entryDir(entry.commandId()).resolve(ENTRY), JournalJson.write(entry));
        entries.put(entry.commandId(), entry);
    }

    Path stdout(String commandId, int step) {
        return entryDir(commandId).resolve(step + ".stdout");
    }

    Path stderr(String commandId, int step) {
        return entryDir(commandId).resolve(step + ".stderr");
    }

    Path entryDir(String commandId) {
        if (!Invocation.isSafeId(commandId)) {
            throw new IllegalArgumentException("CommandId is not a command id");
        }
        return dir.resolve(commandId);
    }

    /** Drops settled entries beyond the newest {@code keep} and those finished before {@code now - maxAge}. */
    synchronized void prune(Instant now) {
        List<JournalEntry> settled = entries.values().stream()
                .filter(e -> e.state() == JournalEntry.State.FINISHED && e.resultSent())
                .sorted(Comparator.comparing((JournalEntry e) -> e.outcome().end())
                        .reversed())
                .toList();
        Instant oldest = now.minus(maxAge);
        for (int i = 0; i < settled.size(); i++) {
            JournalEntry e = settled.get(i);
            if (i >= keep || e.outcome().end().isBefore(oldest)) {
                try {
                    deleteTree(entryDir(e.commandId()));
                    entries.remove(e.commandId());
                } catch (IOException ex) {
                    log.warn("cannot prune command journal entry {}: {}", e.commandId(), ex.getMessage());
                }
            }
        }
    }

    private void deleteTree(Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        PrivateFiles.syncDirectory(dir);
    }
}
