package dev.patchtide.agent.scan.apt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads deb822 paragraphs (a Packages index, dpkg's status file) straight from bytes, decoding only a few
 * fields of only the paragraphs wanted. A Debian main index holds some 60,000 paragraphs of which a host
 * has a few hundred installed: the package name, the first line of a paragraph, is compared as bytes with
 * the wanted names, and every other paragraph is skipped without making a single String. Field semantics
 * are {@link Deb822}'s: names case-insensitive, values stripped, continuation lines joined with a newline,
 * {@code #} lines ignored, a whitespace-only line ends a paragraph.
 */
final class ParagraphReader {
    /** A paragraph longer than this is not a package description but a broken or hostile file. */
    static final int MAX_PARAGRAPH = 16 * 1024 * 1024;

    private static final byte[] PACKAGE = "Package:".getBytes(StandardCharsets.US_ASCII);

    private final byte[][] fields;

    /** {@code fields} are the names to decode; the first must be {@code Package}. */
    ParagraphReader(List<String> fields) {
        if (fields.isEmpty() || !fields.getFirst().equals("Package")) {
            throw new IllegalArgumentException("the first field read must be Package");
        }
        this.fields =
                fields.stream().map(f -> f.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    }

    /**
     * Streams {@code in} to {@code sink}, one array of the requested field values (null where absent) per
     * paragraph whose Package is one of {@code wanted} (every paragraph when {@code wanted} is null).
     */
    void read(InputStream in, Names wanted, Consumer<String[]> sink) throws IOException {
        byte[] buf = new byte[1 << 18];
        int len = 0;
        int p = 0;
        boolean eof = false;
        while (true) {
            int start = skipBlankLines(buf, p, len, eof);
            if (start == len && eof) {
                return;
            }
            int end = start < 0 ? -1 : paragraphEnd(buf, start, len, eof);
            if (end >= 0) {
                handle(buf, start, end, wanted, sink);
                p = end;
                continue;
            }
            // Needs more bytes: keep the unfinished paragraph (or blank line) at the front and refill behind it.
            int keep = len - p;
            System.arraycopy(buf, p, buf, 0, keep);
            len = keep;
            p = 0;
            if (len == buf.length) {
                if (buf.length >= MAX_PARAGRAPH) {
                    throw new IOException("a paragraph longer than " + MAX_PARAGRAPH + " bytes");
                }
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                eof = true;
            } else {
                len += n;
            }
        }
    }

    private void handle(byte[] buf, int p, int end, Names wanted, Consumer<String[]> sink) {
        if (wanted != null && startsWith(buf, p, end, PACKAGE)) {
            int s = p + PACKAGE.length;
            int e = s;
            while (e < end && buf[e] != '\n') {
                e++;
            }
            int[] name = strip(buf, s, e);
            if (!wanted.contains(buf, name[0], name[1] - name[0])) {
                return; // the common case: a package this host does not have, never decoded
            }
        }
        String[] values = decode(buf, p, end);
        if (values[0] != null && (wanted == null || wanted.contains(values[0]))) {
            sink.accept(values);
        }
    }

    /** The requested fields of the paragraph in {@code [p, end)}. */
    private String[] decode(byte[] buf, int p, int end) {
        String[] values = new String[fields.length];
        int current = -1;
        int line = p;
        while (line < end) {
            int eol = line;
            while (eol < end && buf[eol] != '\n') {
                eol++;
            }
            byte first = buf[line];
            if (first == '#' || eol == line) {
                current = first == '#' ? current : -1;
            } else if (first == ' ' || first == '\t') {
                if (current >= 0) {
                    int[] v = strip(buf, line, eol);
                    values[current] += "\n" + text(buf, v);
                }
            } else {
                int colon = line;
                while (colon < eol && buf[colon] != ':') {
                    colon++;
                }
                if (colon == eol || colon == line) {
                    line = eol + 1;
                    continue; // not a field: tolerated, and the field before it goes on, as in Deb822
                }
                current = field(buf, line, colon);
                if (current >= 0) {
                    values[current] = text(buf, strip(buf, colon + 1, eol));
                }
            }
            line = eol + 1;
        }
        return values;
    }

    private int field(byte[] buf, int start, int colon) {
        int end = colon;
        while (end > start && isSpace(buf[end - 1])) {
            end--;
        }
        for (int i = 0; i < fields.length; i++) {
            byte[] f = fields[i];
            if (f.length == end - start && equalsIgnoreCase(buf, start, f)) {
                return i;
            }
        }
        return -1;
    }

    /** Skips blank lines from {@code p}; -1 when a blank-looking line runs past the bytes read so far. */
    private static int skipBlankLines(byte[] buf, int p, int len, boolean eof) {
        while (p < len) {
            int q = p;
            while (q < len && buf[q] != '\n' && isSpace(buf[q])) {
                q++;
            }
            if (q == len) {
                return eof ? len : -1;
            }
            if (buf[q] != '\n') {
                return p; // a line with content: the paragraph starts here
            }
            p = q + 1;
        }
        return p;
    }

    /**
     * The end (exclusive, after its last newline) of the paragraph whose bytes start at or before {@code from}:
     * the start of the first whitespace-only line; -1 when it is not within the bytes read so far.
     */
    private static int paragraphEnd(byte[] buf, int from, int len, boolean eof) {
        int i = from;
        while (true) {
            while (i < len && buf[i] != '\n') {
                i++;
            }
            if (i >= len - 1) {
                return eof ? len : -1;
            }
            int next = i + 1;
            byte b = buf[next];
            if (b == '\n') {
                return next;
            }
            if (isSpace(b)) { // a continuation line, or a line of only whitespace that ends the paragraph
                int q = next;
                while (q < len && buf[q] != '\n' && isSpace(buf[q])) {
                    q++;
                }
                if (q == len) {
                    return eof ? next : -1;
                }
                if (buf[q] == '\n') {
                    return next;
                }
            }
            i = next;
        }
    }

    private static boolean startsWith(byte[] buf, int p, int end, byte[] prefix) {
        if (end - p < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buf[p + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalsIgnoreCase(byte[] buf, int start, byte[] name) {
        for (int i = 0; i < name.length; i++) {
            if ((buf[start + i] | 0x20) != (name[i] | 0x20)) {
                return false;
            }
        }
        return true;
    }

    private static int[] strip(byte[] buf, int start, int end) {
        while (start < end && isSpace(buf[start])) {
            start++;
        }
        while (end > start && isSpace(buf[end - 1])) {
            end--;
        }
        return new int[] {start, end};
    }

    private static String text(byte[] buf, int[] range) {
        return new String(buf, range[0], range[1] - range[0], StandardCharsets.UTF_8);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == 0x0b || b == '\f';
    }

    /** A set of package names looked up by their bytes, so a skipped paragraph costs no decoding. */
    static final class Names {
        private final byte[][] table;
        private final String[] strings;
        private final int mask;

        Names(Collection<String> names) {
            int size = Integer.highestOneBit(Math.max(4, names.size() * 3)) << 1;
            table = new byte[size][];
            strings = new String[size];
            mask = size - 1;
            for (String name : names) {
                byte[] b = name.getBytes(StandardCharsets.UTF_8);
                int slot = hash(b, 0, b.length) & mask;
                while (table[slot] != null && !Arrays.equals(table[slot], b)) {
                    slot = (slot + 1) & mask;
                }
                table[slot] = b;
                strings[slot] = name;
            }
        }

        boolean contains(byte[] buf, int start, int length) {
            int slot = hash(buf, start, length) & mask;
            while (table[slot] != null) {
                if (Arrays.equals(table[slot], 0, table[slot].length, buf, start, start + length)) {
                    return true;
                }
                slot = (slot + 1) & mask;
            }
            return false;
        }

        boolean contains(String name) {
            byte[] b = name.getBytes(StandardCharsets.UTF_8);
            return contains(b, 0, b.length);
        }

        private static int hash(byte[] b, int start, int length) {
            int h = 0x811c9dc5;
            for (int i = start; i < start + length; i++) {
                h = (h ^ b[i]) * 0x01000193;
            }
            return h ^ (h >>> 16);
        }
    }
}
