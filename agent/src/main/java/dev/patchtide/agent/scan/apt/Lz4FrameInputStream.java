package dev.patchtide.agent.scan.apt;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Decodes the LZ4 frame format apt keeps its lists in ({@code …_Packages.lz4}). Written for the agent's
 * scan: commons-compress's decoder copies a byte at a time through a sliding window and took some eight
 * seconds of CPU for Debian's 50 MB main index, six times what all of {@code apt list --upgradable} costs;
 * this one decodes each block into one array with bulk copies. Checksums are skipped (apt verified the
 * download); every length is bounds-checked, so a damaged file is an {@link IOException}, never a crash.
 */
final class Lz4FrameInputStream extends InputStream {
    private static final int MAGIC = 0x184D2204;
    private static final int WINDOW = 64 * 1024;

    private final InputStream in;
    private byte[] compressed = new byte[0];
    /** The last {@link #WINDOW} bytes of the previous block (for linked blocks), then the current block. */
    private byte[] out = new byte[0];

    private int pos;
    private int end;
    private boolean independent;
    private boolean blockChecksum;
    private boolean contentChecksum;
    private boolean inFrame;
    private boolean finished;

    Lz4FrameInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (pos == end) {
            if (finished || !nextBlock()) {
                return -1;
            }
        }
        int n = Math.min(len, end - pos);
        System.arraycopy(out, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Decodes the next block into {@link #out}; false at the end of the last frame. */
    private boolean nextBlock() throws IOException {
        if (!inFrame && !readFrameHeader()) {
            finished = true;
            return false;
        }
        int size = readIntLE();
        if (size == 0) { // end mark
            if (contentChecksum) {
                readFully(new byte[4], 4);
            }
            inFrame = false;
            pos = end = 0;
            return true;
        }
        boolean stored = (size & 0x80000000) != 0;
        size &= 0x7fffffff;
        int keep = independent ? 0 : Math.min(end, WINDOW);
        if (size > out.length - WINDOW) {
            throw new IOException("LZ4 block of " + size + " bytes exceeds the frame's block size");
        }
        if (keep > 0) {
            System.arraycopy(out, end - keep, out, 0, keep);
        }
        if (stored) {
            readFully(out, keep, size);
            end = keep + size;
        } else {
            if (compressed.length < size) {
                compressed = new byte[size];
            }
            readFully(compressed, 0, size);
            end = decodeBlock(compressed, size, out, keep);
        }
        pos = keep;
        if (blockChecksum) {
            readFully(new byte[4], 4);
        }
        return true;
    }

    private boolean readFrameHeader() throws IOException {
        int first = in.read();
        if (first < 0) {
            return false;
        }
        int magic = first | readByte() << 8 | readByte() << 16 | readByte() << 24;
        if ((magic & 0xfffffff0) == 0x184D2A50) { // a skippable frame
            in.skipNBytes(Integer.toUnsignedLong(readIntLE()));
            return readFrameHeader();
        }
        if (magic != MAGIC) {
            throw new IOException("not an LZ4 frame (magic " + Integer.toHexString(magic) + ")");
        }
        int flags = readByte();
        int bd = readByte();
        if ((flags >> 6) != 1) {
            throw new IOException("unsupported LZ4 frame version " + (flags >> 6));
        }
        independent = (flags & 0x20) != 0;
        blockChecksum = (flags & 0x10) != 0;
        contentChecksum = (flags & 0x04) != 0;
        int extra = ((flags & 0x08) != 0 ? 8 : 0) + ((flags & 0x01) != 0 ? 4 : 0) + 1; // size, dictionary id, HC
        readFully(new byte[extra], extra);
        int sizeCode = (bd >> 4) & 7;
        if (sizeCode < 4) {
            throw new IOException("invalid LZ4 block size code " + sizeCode);
        }
        int blockMax = 1 << (8 + 2 * sizeCode);
        if (out.length < WINDOW + blockMax) {
            byte[] bigger = new byte[WINDOW + blockMax];
            System.arraycopy(out, 0, bigger, 0, end);
            out = bigger;
        }
        inFrame = true;
        return true;
    }

    /** Decodes one LZ4 block of {@code length} bytes into {@code dst} from {@code start}; returns the new end. */
    static int decodeBlock(byte[] src, int length, byte[] dst, int start) throws IOException {
        int s = 0;
        int d = start;
        while (s < length) {
            int token = src[s++] & 0xff;
            int literals = token >>> 4;
            if (literals == 15) {
                int b;
                do {
                    if (s >= length) {
                        throw damaged();
                    }
                    b = src[s++] & 0xff;
                    literals += b;
                } while (b == 255);
            }
            if (literals > length - s || literals > dst.length - d) {
                throw damaged();
            }
            System.arraycopy(src, s, dst, d, literals);
            s += literals;
            d += literals;
            if (s == length) {
                break; // the last sequence has literals only
            }
            if (s + 2 > length) {
                throw damaged();
            }
            int offset = (src[s] & 0xff) | (src[s + 1] & 0xff) << 8;
            s += 2;
            int match = token & 15;
            if (match == 15) {
                int b;
                do {
                    if (s >= length) {
                        throw damaged();
                    }
                    b = src[s++] & 0xff;
                    match += b;
                } while (b == 255);
            }
            match += 4;
            int from = d - offset;
            if (offset == 0 || from < 0 || match > dst.length - d) {
                throw damaged();
            }
            if (offset >= match) {
                System.arraycopy(dst, from, dst, d, match);
                d += match;
            } else { // overlapping: the match repeats its own output
                for (int i = 0; i < match; i++) {
                    dst[d++] = dst[from + i];
                }
            }
        }
        return d;
    }

    private static IOException damaged() {
        return new IOException("damaged LZ4 block");
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("truncated LZ4 frame");
        }
        return b;
    }

    private int readIntLE() throws IOException {
        return readByte() | readByte() << 8 | readByte() << 16 | readByte() << 24;
    }

    private void readFully(byte[] b, int n) throws IOException {
        readFully(b, 0, n);
    }

    private void readFully(byte[] b, int off, int n) throws IOException {
        if (n < 0) {
            throw new IOException("invalid LZ4 length");
        }
        int done = 0;
        while (done < n) {
            int k = in.read(b, off + done, n - done);
            if (k < 0) {
                throw new EOFException("truncated LZ4 frame");
            }
            done += k;
        }
    }
}
