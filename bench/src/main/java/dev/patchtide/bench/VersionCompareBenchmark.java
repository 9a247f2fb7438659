package dev.patchtide.bench;

import dev.patchtide.core.version.DebianVersion;
import dev.patchtide.core.version.RpmVersion;
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

/** A scan compares every installed package with its candidate: about 1,500 comparisons a host. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VersionCompareBenchmark {
    private final String debInstalled = "3.0.11-1~deb12u2";
    private final String debCandidate = "3.0.15-1~deb12u1";
    private final DebianVersion debA = DebianVersion.parse(debInstalled);
    private final DebianVersion debB = DebianVersion.parse(debCandidate);
    private final String rpmInstalled = "1:3.0.7-24.el9";
    private final String rpmCandidate = "1:3.0.7-27.el9_4.1";

    @Benchmark
    public int debianParseAndCompare() {
        return DebianVersion.compare(debInstalled, debCandidate);
    }

    @Benchmark
    public int debianCompareParsed() {
        return debA.compareTo(debB);
    }

    @Benchmark
    public int rpmParseAndCompare() {
        return RpmVersion.compare(rpmInstalled, rpmCandidate);
    }
}
