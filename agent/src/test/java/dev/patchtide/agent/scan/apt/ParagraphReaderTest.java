package dev.patchtide.agent.scan.apt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The byte-level reader must agree with {@link Deb822} (the reference reading) on every paragraph it keeps. */
class ParagraphReaderTest {
    private static final List<String> FIELDS = List.of("Package", "Architecture", "Version", "Priority", "Section");

    @Test
    void agreesWithDeb822OnEdgeCases() throws Exception {
        String text = "\n \n"
                + "Package: alpha\nVersion: 1.0\nArchitecture: all\nDescription: x\n long\n .\n\n"
                + "Package:   beta  \r\nversion :2.0\nX-Other: ignored\n   \t\n"
                + "# a comment line\nPackage: gamma\n# inside\nSection: a\n b\nno colon here\n c\nVersion: 3\n\n\n"
                + "Architecture: amd64\nPackage: delta\nVersion: 4\n\n"
                + "Package: epsilon\nVersion: 5\nVersion: 6\n\n"
                + "Package: zeta\nVersion: 7"; // no newline at the end
        for (int buffer : new int[] {1, 3, 64}) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            Set<String> wanted = Set.of("alpha", "beta", "gamma", "delta", "epsilon", "zeta");
            assertThat(read(new Trickle(bytes, buffer), wanted)).isEqualTo(reference(bytes, wanted));
        }
        assertThat(read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), Set.of("beta", "delta")))
                .containsExactly("beta|null|2.0|null|null", "delta|amd64|4|null|null");
    }

    /** This host's real list files and dpkg status, wanted names being the installed ones (as a scan asks). */
    @Test
    void agreesWithDeb822OnThisHostsListsAndStatus() throws Exception {
        Path status = Path.of("/var/lib/dpkg/status");
        List<String> all = read(Files.newInputStream(status), null);
        assertThat(all).isEqualTo(reference(Files.readAllBytes(status), null));
        Set<String> installed =
                Set.copyOf(all.stream().map(l -> l.substring(0, l.indexOf('|'))).toList());
        Path lists = Path.of("/var/lib/apt/lists");
        List<Path> indices;
        try (Stream<Path> files = Files.isDirectory(lists) ? Files.list(lists) : Stream.empty()) {
            indices = files.filter(f -> f.getFileName().toString().contains("_Packages"))
                    .toList();
        }
        for (Path index : indices) {
            List<String> ours;
            try (InputStream in = AptLists.openBytes(index)) {
                ours = read(in, installed);
            }
            byte[] plain;
            try (InputStream in = AptLists.openBytes(index)) {
                plain = in.readAllBytes();
            }
            assertThat(ours).as(index.toString()).isNotEmpty().isEqualTo(reference(plain, installed));
        }
    }

    @Test
    void aParagraphPastTheLimitIsRefusedBeforeItIsReadWhole() {
        InputStream endless = new InputStream() {
            private long left = ParagraphReader.MAX_PARAGRAPH + 1_000_000L;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }
        };
        assertThatThrownBy(() -> read(endless, Set.of("x")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("longer than");
    }

    private static List<String> read(InputStream in, Set<String> wanted) throws IOException {
        List<String> out = new ArrayList<>();
        new ParagraphReader(FIELDS)
                .read(
                        in,
                        wanted == null ? null : new ParagraphReader.Names(wanted),
                        f -> out.add(String.join(
                                "|", Arrays.stream(f).map(String::valueOf).toList())));
        return out;
    }

    private static List<String> reference(byte[] bytes, Set<String> wanted) throws IOException {
        List<String> out = new ArrayList<>();
        Deb822.forEach(
                new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8)),
                (Map<String, String> p) -> {
                    if (p.containsKey("Package") && (wanted == null || wanted.contains(p.get("Package")))) {
                        out.add(String.join(
                                "|",
                                FIELDS.stream()
                                        .map(f -> String.valueOf(p.get(f)))
                                        .toList()));
                    }
                });
        return out;
    }

    /** Hands out at most {@code chunk} bytes a read, so paragraphs and blank lines straddle every refill. */
    private static final class Trickle extends ByteArrayInputStream {
        private final int chunk;

        Trickle(byte[] bytes, int chunk) {
            super(bytes);
            this.chunk = chunk;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, chunk));
        }
    }
}
