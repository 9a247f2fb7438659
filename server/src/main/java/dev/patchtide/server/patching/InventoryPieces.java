package dev.patchtide.server.patching;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A stored inventory's canonical text packed as a row of gzip members, each a run of whole lines of a few KB
 * that never splits one package name's lines, with an index of where each member ends and the name its lines
 * start with. Unzipped whole, the members read back as the whole text (gzip members concatenate), so every
 * reader of the whole inventory is unchanged; a changed report that needs one or two packages reads, with the
 * index, only the member holding each (a slice of the stored bytes: the column is EXTERNAL, V20, so PostgreSQL
 * fetches only the TOAST chunks under the slice) instead of the whole inventory (~1,500 lines).
 */
final class InventoryPieces {
    /** Raw text a member holds at least (unless the text ends): about one TOAST chunk (2 KB) once compressed. */
    static final int PIECE_CHARS = 4096;

    private InventoryPieces() {}

    /** The packed bytes and their index (see {@link Index}). */
    record Packed(byte[] gzip, String index) {}

    /** Packs {@code canonical} (whole lines, sorted by name) at the fastest level, as the single gzip was. */
    static Packed pack(String canonical) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(canonical.length() / 4);
        StringBuilder index = new StringBuilder();
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        try {
            if (canonical.isEmpty()) {
                member(out, deflater, new byte[0]); // still a gzip stream, of nothing
            }
            int start = 0;
            while (start < canonical.length()) {
                int end = pieceEnd(canonical, start);
                member(out, deflater, canonical.substring(start, end).getBytes(StandardCharsets.UTF_8));
                index.append(name(canonical, start))
                        .append('\t')
                        .append(out.size())
                        .append('\n');
                start = end;
            }
        } finally {
            deflater.end();
        }
        return new Packed(out.toByteArray(), index.isEmpty() ? null : index.toString());
    }

    /** Where the member starting at {@code start} ends: past PIECE_CHARS, at the first line of another name. */
    private static int pieceEnd(String text, int start) {
        int at = start;
        String name = null;
        while (at < text.length()) {
            int next = text.indexOf('\n', at);
            next = next < 0 ? text.length() : next + 1;
            if (at - start >= PIECE_CHARS && !name(text, at).equals(name)) {
                return at;
            }
            name = name(text, at);
            at = next;
        }
        return text.length();
    }

    /** The package name a canonical line starting at {@code at} holds (up to its first tab). */
    private static String name(String text, int at) {
        int end = text.indexOf('\n', at);
        end = end < 0 ? text.length() : end;
        int tab = text.indexOf('\t', at);
        return text.substring(at, tab < 0 || tab > end ? end : tab);
    }

    /** One gzip member (RFC 1952: header, raw deflate, CRC-32 and length), the deflater reused. */
    private static void member(ByteArrayOutputStream out, Deflater deflater, byte[] raw) {
        out.write(0x1f);
        out.write(0x8b);
        out.write(Deflater.DEFLATED);
        out.writeBytes(new byte[7]); // no flags, no time, no extra flags, OS 0
        deflater.reset();
        deflater.setInput(raw);
        deflater.finish();
        byte[] buffer = new byte[Math.max(64, raw.length / 2)];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        CRC32 crc = new CRC32();
        crc.update(raw);
        intLittleEndian(out, (int) crc.getValue());
        intLittleEndian(out, raw.length);
    }

    private static void intLittleEndian(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    /**
     * The index as stored: a line per member, its first name and the offset its bytes end at (a tab between).
     * The members' names are in the text's order (Java's string order, as {@code Inventory} sorts), so a name's
     * lines are in the last member whose first name is not above it.
     */
    record Index(String[] firstNames, int[] ends) {
        static Optional<Index> parse(String stored) {
            if (stored == null) {
                return Optional.empty();
            }
            List<String> names = new ArrayList<>();
            List<Integer> ends = new ArrayList<>();
            for (String line : stored.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                int tab = line.lastIndexOf('\t');
                names.add(line.substring(0, tab));
                ends.add(Integer.parseInt(line.substring(tab + 1)));
            }
            return names.isEmpty()
                    ? Optional.empty()
                    : Optional.of(new Index(
                            names.toArray(String[]::new),
                            ends.stream().mapToInt(Integer::intValue).toArray()));
        }

        /** The member that holds {@code name}'s lines, if the inventory has any. */
        int pieceOf(String name) {
            int found = Arrays.binarySearch(firstNames, name);
            return found >= 0 ? found : Math.max(0, -found - 2);
        }

        /** The member's first byte, counted from 0. */
        int start(int piece) {
            return piece == 0 ? 0 : ends[piece - 1];
        }

        int length(int piece) {
            return ends[piece] - start(piece);
        }
    }
}
