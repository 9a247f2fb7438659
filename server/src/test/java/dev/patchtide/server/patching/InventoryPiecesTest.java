package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.Inventory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** An inventory packed in pieces reads back whole as its text, and each name's lines are in the piece found. */
class InventoryPiecesTest {

    /** 3,000 lines; every tenth name has lines for two archs and two versions, so names run over several lines. */
    static List<InstalledPackage> inventory() {
        List<InstalledPackage> packages = new ArrayList<>();
        for (int i = 0; i < 2_400; i++) {
            String name = String.format("pkg-%05d", i * 7 % 2_400);
            packages.add(new InstalledPackage(
                    name, "amd64", "1." + i, Optional.of(Instant.ofEpochSecond(1_700_000_000L + i))));
            if (i % 10 == 0) {
                packages.add(new InstalledPackage(name, "i386", "1." + i, Optional.empty()));
                packages.add(new InstalledPackage(name, "i386", "2." + i, Optional.empty()));
                packages.add(new InstalledPackage(name, "amd64", "0." + i, Optional.empty()));
            }
        }
        packages.add(new InstalledPackage("zz-last", "all", "9", Optional.empty()));
        return packages;
    }

    @Test
    void theWholeReadsBackAsTheTextAndEachNameIsInItsPiece() throws IOException {
        String text = Inventory.canonical(inventory());
        InventoryPieces.Packed packed = InventoryPieces.pack(text);

        assertThat(gunzip(packed.gzip())).isEqualTo(text);
        InventoryPieces.Index index =
                InventoryPieces.Index.parse(packed.index()).orElseThrow();
        assertThat(index.firstNames().length).isGreaterThan(10);
        assertThat(index.ends()[index.ends().length - 1]).isEqualTo(packed.gzip().length);

        Set<String> names = new TreeSet<>();
        inventory().forEach(p -> names.add(p.name()));
        // Names that are not installed: below the first, between two, above the last.
        names.addAll(List.of("a-before-all", "pkg-00001x", "zzz-after-all"));
        for (String name : names) {
            int piece = index.pieceOf(name);
            byte[] slice =
                    Arrays.copyOfRange(packed.gzip(), index.start(piece), index.start(piece) + index.length(piece));
            assertThat(Inventory.named(gunzip(slice), Set.of(name)))
                    .as(name)
                    .isEqualTo(Inventory.named(text, Set.of(name)));
        }
    }

    @Test
    void anEmptyInventoryIsAnEmptyGzipWithoutIndex() throws IOException {
        InventoryPieces.Packed packed = InventoryPieces.pack("");

        assertThat(gunzip(packed.gzip())).isEmpty();
        assertThat(packed.index()).isNull();
        assertThat(InventoryPieces.Index.parse(packed.index())).isEmpty();
    }

    @Test
    void aSmallInventoryIsOnePiece() throws IOException {
        String text = Inventory.canonical(inventory().subList(0, 20));
        InventoryPieces.Packed packed = InventoryPieces.pack(text);

        assertThat(gunzip(packed.gzip())).isEqualTo(text);
        assertThat(InventoryPieces.Index.parse(packed.index()).orElseThrow().firstNames())
                .hasSize(1);
    }

    static String gunzip(byte[] gzip) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
