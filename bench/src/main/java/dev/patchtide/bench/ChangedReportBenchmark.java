package dev.patchtide.bench;

import dev.patchtide.core.patching.AvailablePatch;
import dev.patchtide.core.patching.BaselineSpec;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.Inventory;
import dev.patchtide.core.patching.PatchStates;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JVM work a changed scan report costs besides HTTP and JSON, for a host of 1,500 installed packages with
 * 33 available updates (the fleet simulator's average): unpacking its stored inventory (gzip, canonical
 * text), and judging every installed package and update against the predefined Debian baseline.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChangedReportBenchmark {
    private static final int INSTALLED = 1_500;
    private final LocalDate today = LocalDate.of(2026, 11, 23);
    private final List<AvailablePatch> updates = BaselineEvaluatorBenchmark.patches(33);
    private final List<InstalledPackage> inventory = inventory();
    private final byte[] stored = gzip(Inventory.canonical(inventory));

    private final BaselineSpec predefinedDebian = Baselines.PREDEFINED_DEBIAN;

    @Benchmark
    public List<InstalledPackage> unpackInventory() throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(stored))) {
            return Inventory.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Benchmark
    public PatchStates.Judgement judgeWithInventory() {
        return PatchStates.judge(
                predefinedDebian,
                new PatchStates.Scan("Debian12", updates, inventory, false, List.of(), List.of()),
                today);
    }

    @Benchmark
    public PatchStates.Judgement judgeUpdatesOnly() {
        return PatchStates.judge(
                predefinedDebian,
                new PatchStates.Scan("Debian12", updates, List.of(), false, List.of(), List.of()),
                today);
    }

    /** The updates' packages at their installed versions, plus others up to 1,500. */
    private List<InstalledPackage> inventory() {
        List<InstalledPackage> out = new ArrayList<>();
        for (AvailablePatch a : updates) {
            out.add(new InstalledPackage(a.name(), a.arch(), a.installedVersion(), Optional.empty()));
        }
        for (int i = out.size(); i < INSTALLED; i++) {
            out.add(new InstalledPackage("pkg" + i, i % 6 == 0 ? "all" : "amd64", "1." + i + "-1", Optional.empty()));
        }
        return List.copyOf(out);
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
