package dev.patchtide.bench;

import dev.patchtide.core.patching.AvailablePatch;
import dev.patchtide.core.patching.BaselineEvaluator;
import dev.patchtide.core.patching.BaselineSpec;
import dev.patchtide.core.patching.PatchVerdict;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Every scan report is judged against its baseline: 200 available updates (a far-behind host) against
 * the predefined Debian baseline, and against a custom one with globs, rejected and approved lists, a
 * section filter and three rules (the kind a platform team writes).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BaselineEvaluatorBenchmark {
    private static final List<String> PRIORITIES = List.of("Required", "Important", "Standard", "Optional", "Extra");
    private static final String[] SECTIONS = {"libs", "admin", "net", "utils", "web", "python", "perl", "kernel"};

    private final LocalDate today = LocalDate.of(2026, 11, 22);
    private final List<AvailablePatch> patches = patches(200);

    private final BaselineSpec predefinedDebian = Baselines.PREDEFINED_DEBIAN;

    private final BaselineSpec custom = new BaselineSpec(
            "pb-custom",
            List.of(
                    new BaselineSpec.Filter("PRODUCT", List.of("Debian12", "Debian11")),
                    new BaselineSpec.Filter("SECTION", List.of("libs", "admin", "net", "utils", "web", "kernel"))),
            List.of(
                    rule(
                            List.of(new BaselineSpec.Filter("PRIORITY", List.of("Required", "Important"))),
                            "CRITICAL",
                            0,
                            false),
                    rule(
                            List.of(
                                    new BaselineSpec.Filter("PRIORITY", List.of("Standard", "Optional")),
                                    new BaselineSpec.Filter("NAME", List.of("lib*", "openssl*", "*-common"))),
                            "HIGH",
                            0,
                            true),
                    rule(List.of(new BaselineSpec.Filter("SECURITY", List.of("SECURITY"))), "MEDIUM", 0, false)),
            List.of("openssh-server", "sudo=1.9.13p3-1+deb12u1", "linux-image-*"),
            "CRITICAL",
            false,
            List.of("docker*", "postgresql-1?", "nginx=1.22.1-9+deb12u2"),
            BaselineSpec.RejectedAction.BLOCK);

    @Benchmark
    public List<PatchVerdict> predefinedDebian200() {
        return BaselineEvaluator.missing(predefinedDebian, patches, today);
    }

    @Benchmark
    public List<PatchVerdict> customBaseline200() {
        return BaselineEvaluator.missing(custom, patches, today);
    }

    private static BaselineSpec.Rule rule(List<BaselineSpec.Filter> filters, String level, int days, boolean nonSec) {
        return new BaselineSpec.Rule(filters, level, Optional.of(days), Optional.empty(), nonSec);
    }

    /** Debian-like updates: lib- and tool-packages, mixed priorities and sections, 55% from security. */
    static List<AvailablePatch> patches(int n) {
        SplittableRandom r = new SplittableRandom(7);
        String[] stems = {
            "libssl", "openssl", "libcurl", "python3", "perl-base", "bash", "coreutils", "nginx", "libxml2"
        };
        List<AvailablePatch> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = stems[r.nextInt(stems.length)] + (i % 5 == 0 ? "-common" : "") + i;
            String installed = (1 + r.nextInt(9)) + "." + r.nextInt(30) + "." + r.nextInt(20) + "-1";
            boolean security = r.nextInt(100) < 55;
            out.add(new AvailablePatch(
                    name,
                    r.nextInt(6) == 0 ? "all" : "amd64",
                    installed,
                    installed + (security ? "+deb12u1" : ".1"),
                    "Debian12",
                    "",
                    "",
                    PRIORITIES.get(r.nextInt(100) < 80 ? 3 : r.nextInt(PRIORITIES.size())),
                    SECTIONS[r.nextInt(SECTIONS.length)],
                    security,
                    Optional.empty(),
                    List.of()));
        }
        return List.copyOf(out);
    }
}
