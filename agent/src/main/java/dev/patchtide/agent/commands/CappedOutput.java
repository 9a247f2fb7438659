package dev.patchtide.agent.commands;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A step's standard output or error, appended to its journal file up to {@code cap} bytes; the rest is counted
 * and dropped (a runaway script must not fill the disk or the agent's memory), and a note saying so ends the
 * file on close. Appending lets a step resumed after a reboot add to what it wrote before. Shared by a step and
 * the nested plans it runs, from several threads.
 */
final class CappedOutput extends OutputStream {
    private final FileChannel file;
    private final long cap;
    private long size;
    private long dropped;
    private boolean closed;

    CappedOutput(Path path, long cap) throws IOException {
        this.file = FileChannel.open(
                path,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        this.cap = cap;
        this.size = file.size();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("output already closed");
        }
        int kept = (int) Math.max(0, Math.min(length, cap - size));
        if (kept > 0) {
            file.write(ByteBuffer.wrap(bytes, offset, kept));
            size += kept;
        }
        dropped += length - kept;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (file) {
            if (dropped > 0) {
                String note = "\n[patchtide: output cut at " + describe(cap) + "; " + dropped
                        + " more bytes were not kept]\n";
                file.write(ByteBuffer.wrap(note.getBytes(StandardCharsets.UTF_8)));
            }
            file.force(true);
        }
    }

    private static String describe(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes + " bytes";
    }
}
