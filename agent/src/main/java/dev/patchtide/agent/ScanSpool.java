package dev.patchtide.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scan reports not yet taken by the server, oldest first, in {@code <stateDir>/spool/scans/}: one file per
 * report, named by a sequence number, written through {@link PrivateFiles} (temp file, fsync, rename, fsync of
 * the folder), so a report kept here survives a crash or a power loss. The spool is capped ({@link
 * SpoolLimits}): a new report pushes the oldest out, and those dropped are counted. When the folder cannot be
 * written (a full disk, a read-only file system) reports wait in memory, under the same cap, after those on
 * disk, so the order holds; the spool logs when that starts and when the disk works again, not per report.
 */
final class ScanSpool {
    static final String DIR = "spool/scans";
    private static final Logger log = LoggerFactory.getLogger(ScanSpool.class);
    private static final Pattern NAME = Pattern.compile("^(\\d{19})\\.json$");

    /** The file operations the spool makes; tests put in a failing one to play a full disk or a read-only folder. */
    interface Disk {
        void write(Path file, byte[] content) throws IOException;

        void delete(Path file) throws IOException;

        Disk REAL = new Disk() {
            @Override
            public void write(Path file, byte[] content) throws IOException {
                PrivateFiles.write(file, content);
            }

            @Override
            public void delete(Path file) throws IOException {
                Files.deleteIfExists(file);
                PrivateFiles.syncDirectory(file.getParent());
            }
        };
    }

    /** A report waiting: on disk ({@code file} present) or in memory; {@code sequence} orders them all. */
    record Pending(long sequence, Optional<Path> file, long size, byte[] inMemory) {}

    private final Path dir;
    private final SpoolLimits limits;
    private final Disk disk;
    private final Deque<Pending> onDisk = new ArrayDeque<>();
    private final Deque<Pending> inMemory = new ArrayDeque<>();
    /** Sent but not deletable (the folder went read-only): never sent again while the agent runs. */
    private final Set<Long> sentUndeleted = new HashSet<>();

    private long nextSequence;
    private long bytes;
    private long dropped;
    private boolean diskFailing;

    ScanSpool(Path stateDir, SpoolLimits limits, Disk disk) {
        this.dir = stateDir.resolve(DIR);
        this.limits = limits;
        this.disk = disk;
        load();
    }

    private void load() {
        List<Pending> found = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path file : list.toList()) {
                var name = NAME.matcher(file.getFileName().toString());
                if (name.matches()) {
                    found.add(new Pending(Long.parseLong(name.group(1)), Optional.of(file), Files.size(file), null));
                } else {
                    Files.deleteIfExists(file); // a temp file left by a crash mid-write: the report was not kept
                }
            }
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            log.warn(
                    "cannot read the scan spool in {} ({}); reports kept there wait until it can be", dir, describe(e));
        }
        found.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        for (Pending p : found) {
            onDisk.add(p);
            bytes += p.size();
            nextSequence = p.sequence() + 1;
        }
        if (!found.isEmpty()) {
            log.info("{} scan report(s) wait in {} for the server", found.size(), dir);
        }
    }

    /** Keeps {@code report} after all the others; returns its sequence number. */
    synchronized long add(byte[] report) {
        long sequence = nextSequence++;
        makeRoom(report.length);
        if (inMemory.isEmpty()) {
            Path file = dir.resolve(String.format("%019d.json", sequence));
            try {
                PrivateFiles.directory(dir);
                disk.write(file, report);
                onDisk.add(new Pending(sequence, Optional.of(file), report.length, null));
                bytes += report.length;
                diskWorks();
                return sequence;
            } catch (IOException | RuntimeException e) {
                if (!diskFailing) {
                    log.error(
                            "cannot keep scan reports in {} ({}); they wait in memory until it can, and are lost if"
                                    + " the agent stops before the server takes them",
                            dir,
                            describe(e));
                    diskFailing = true;
                }
            }
        }
        inMemory.add(new Pending(sequence, Optional.empty(), report.length, report));
        bytes += report.length;
        return sequence;
    }

    private void diskWorks() {
        if (diskFailing) {
            log.info("scan reports are kept in {} again", dir);
            diskFailing = false;
        }
    }

    /** Drops the oldest reports until one of {@code size} more bytes fits in the limits. */
    private void makeRoom(long size) {
        while (count() > 0 && (count() + 1 > limits.maxEntries() || bytes + size > limits.maxBytes())) {
            Pending oldest = oldestOfAll();
            if (!forget(oldest)) {
                return; // an undeletable file on a read-only disk: the cap cannot be kept, the memory one still is
            }
            dropped++;
        }
    }

    private Pending oldestOfAll() {
        return onDisk.isEmpty() ? inMemory.peekFirst() : onDisk.peekFirst();
    }

    /** The oldest report not yet sent. */
    synchronized Optional<Pending> oldest() {
        for (Pending p : onDisk) {
            if (!sentUndeleted.contains(p.sequence())) {
                return Optional.of(p);
            }
        }
        return Optional.ofNullable(inMemory.peekFirst());
    }

    /** The report's bytes; an I/O error for a file that cannot be read. */
    byte[] read(Pending p) throws IOException {
        if (p.file().isEmpty()) {
            return p.inMemory();
        }
        if (Files.size(p.file().get()) > limits.maxBytes()) {
            throw new IOException("larger than the spool's limit");
        }
        return Files.readAllBytes(p.file().get());
    }

    /** The server took {@code p} (or refused it for good): it leaves the spool. */
    synchronized void remove(Pending p) {
        if (!forget(p)) {
            sentUndeleted.add(p.sequence());
        }
    }

    private boolean forget(Pending p) {
        if (p.file().isPresent()) {
            try {
                disk.delete(p.file().get());
                diskWorks();
            } catch (IOException | RuntimeException e) {
                if (!diskFailing) {
                    log.error("cannot remove a sent scan report from {} ({})", dir, describe(e));
                    diskFailing = true;
                }
                return false;
            }
            onDisk.remove(p);
        } else {
            inMemory.remove(p);
        }
        bytes -= p.size();
        return true;
    }

    /** Reports waiting, on disk and in memory. */
    synchronized int count() {
        return onDisk.size() - sentUndeleted.size() + inMemory.size();
    }

    /** How many reports the cap pushed out since the last call. */
    synchronized long takeDropped() {
        long n = dropped;
        dropped = 0;
        return n;
    }

    Path dir() {
        return dir;
    }

    private static String describe(Exception e) {
        return e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
