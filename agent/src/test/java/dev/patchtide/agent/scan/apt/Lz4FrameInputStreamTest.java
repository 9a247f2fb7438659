package dev.patchtide.agent.scan.apt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decoder against liblz4's own {@code lz4} tool (the library apt compresses its lists with). */
class Lz4FrameInputStreamTest {
    /** apt depends on liblz4; its command-line tool is Debian's package lz4. */
    private static final String LZ4 = "/usr/bin/lz4";

    /** Text that compresses like a Packages list (long matches, overlapping runs) plus incompressible bytes. */
    private static byte[] sample() {
        StringBuilder text = new StringBuilder();
        Random random = new Random(12);
        for (int i = 0; i < 6_000; i++) {
            text.append("Package: pkg-")
                    .append(random.nextInt(5000))
                    .append("\nVersion: 1.")
                    .append(i)
                    .append("-1\nDescription: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ")
                    .append(i % 97)
                    .append("\n\n");
        }
        byte[] noise = new byte[100_000];
        random.nextBytes(noise);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
        all.writeBytes(noise);
        return all.toByteArray();
    }

    @Test
    void decodesWhatLiblz4WritesWithLinkedAndIndependentBlocksAndChecksums(@TempDir Path dir) throws Exception {
        byte[] original = sample();
        String[][] variants = {
            {"-B4", "--no-frame-crc"}, {"-B4", "-BD"}, {"-B5", "-BX"}, {"-B7", "-BD", "--content-size"}, {"-9", "-B6"}
        };
        for (String[] flags : variants) {
            assertThat(decode(lz4(dir, original, flags)))
                    .as(String.join(" ", flags))
                    .isEqualTo(original);
        }
    }

    @Test
    void decodesConcatenatedFrames(@TempDir Path dir) throws Exception {
        byte[] original = sample();
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.writeBytes(lz4(dir, original, "-B4", "-BD"));
        both.writeBytes(lz4(dir, original, "-B6"));
        byte[] twice = new byte[original.length * 2];
        System.arraycopy(original, 0, twice, 0, original.length);
        System.arraycopy(original, 0, twice, original.length, original.length);
        assertThat(decode(both.toByteArray())).isEqualTo(twice);
    }

    @Test
    void aDamagedOrTruncatedFrameIsAnIoErrorNotACrash(@TempDir Path dir) throws Exception {
        byte[] good = lz4(dir, sample(), "-B4", "-BD");
        assertThatThrownBy(() -> decode(Arrays.copyOf(good, good.length / 2))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> decode("not lz4 at all".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not an LZ4 frame");
        Random random = new Random(7);
        int reported = 0;
        for (int i = 0; i < 200; i++) {
            byte[] bad = good.clone();
            for (int k = 0; k < 8; k++) {
                bad[11 + random.nextInt(bad.length - 11)] = (byte) random.nextInt();
            }
            try {
                decode(bad); // a flip inside literals may decode to other bytes: no crash is what counts
            } catch (IOException expected) {
                reported++;
            }
        }
        assertThat(reported).as("damage found in offsets and lengths").isPositive();
    }

    /** {@code data} compressed by liblz4's command-line tool with {@code flags}. */
    private static byte[] lz4(Path dir, byte[] data, String... flags) throws Exception {
        Path plain = Files.write(dir.resolve("plain"), data);
        Path packed = dir.resolve("packed.lz4");
        Files.deleteIfExists(packed);
        List<String> command = new ArrayList<>(List.of(LZ4, "-q"));
        command.addAll(List.of(flags));
        command.addAll(List.of(plain.toString(), packed.toString()));
        Process lz4 = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(lz4.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(lz4.waitFor()).as(command + ": " + output).isZero();
        return Files.readAllBytes(packed);
    }

    private static byte[] decode(byte[] packed) throws IOException {
        try (InputStream in = new Lz4FrameInputStream(new ByteArrayInputStream(packed))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[7919]; // an odd size: reads straddle block boundaries
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }
}
