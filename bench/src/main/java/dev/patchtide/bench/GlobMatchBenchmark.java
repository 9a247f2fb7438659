package dev.patchtide.bench;

import dev.patchtide.core.patching.AvailablePatch;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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
 * Where baseline evaluation spends its time, and what a fix would give: matching the PRIORITY filter of
 * the predefined Debian baseline (5 values) against 200 patches, three ways in one run — as
 * BaselineEvaluator.matches does today (a regex built and compiled per value per patch), with the
 * patterns compiled once per baseline, and with a plain glob matcher (no regex).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GlobMatchBenchmark {
    private final List<AvailablePatch> patches = BaselineEvaluatorBenchmark.patches(200);
    private final List<String> values = List.of("Required", "Important", "Standard", "Optional", "Extra");
    private final List<Pattern> compiled =
            values.stream().map(GlobMatchBenchmark::compile).toList();

    @Benchmark
    public int regexPerCallToday() {
        int n = 0;
        for (AvailablePatch p : patches) {
            for (String v : values) {
                if (todaysMatches(v, p.priority())) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    @Benchmark
    public int regexCompiledOnce() {
        int n = 0;
        for (AvailablePatch p : patches) {
            String value = p.priority().toLowerCase(Locale.ROOT);
            for (Pattern pattern : compiled) {
                if (pattern.matcher(value).matches()) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    @Benchmark
    public int plainGlob() {
        int n = 0;
        for (AvailablePatch p : patches) {
            for (String v : values) {
                if (glob(v, 0, p.priority(), 0)) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    /** A copy of BaselineEvaluator.matches (package-private there) as of 2026-11-22. */
    static boolean todaysMatches(String pattern, String value) {
        if (pattern.equals("*")) {
            return true;
        }
        return compile(pattern).matcher(value.toLowerCase(Locale.ROOT)).matches();
    }

    private static Pattern compile(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
    }

    /** Case-insensitive '*' and '?' glob, recursive on '*' (filter values are short). */
    static boolean glob(String p, int i, String s, int j) {
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '*') {
                for (int k = j; k <= s.length(); k++) {
                    if (glob(p, i + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (j >= s.length() || (c != '?' && Character.toLowerCase(c) != Character.toLowerCase(s.charAt(j)))) {
                return false;
            }
            i++;
            j++;
        }
        return j == s.length();
    }
}
