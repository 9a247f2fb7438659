package dev.patchtide.bench;

import dev.patchtide.server.events.RuleMatcher;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Events matched per second against one bus with 1,000 rules loaded, through the server's {@link RuleMatcher}
 * (event-ruler, parsing the envelope JSON as PutEvents does). Rules mix exact values, prefix, anything-but,
 * numeric, exists, equals-ignore-case, wildcard, cidr and $or, over fleet-like events; two threads for the
 * two-core goal (≥ 200,000 events/s).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EventMatchingBenchmark {
    static final int RULES = 1_000;
    static final int EVENTS = 1_024;
    static final String[] SEVERITIES = {"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNSPECIFIED"};

    /**
     * {@code typical}: what rule sets mostly look like (exact source, detail-type and a detail value; some
     * prefix, anything-but, numeric and exists). {@code every-operator}: all nine kinds in equal shares,
     * wildcard and cidr included, which costs event-ruler much more per event.
     */
    @Param({"typical", "every-operator"})
    public String mix;

    RuleMatcher matcher;
    String[] events;

    @Setup(Level.Trial)
    public void setUp() {
        Map<String, String> rules = new LinkedHashMap<>();
        for (int i = 0; i < RULES; i++) {
            String source = "\"source\":[\"app" + (i % 40) + "\"]";
            String type = "\"detail-type\":[\"Type " + (i % 25) + "\"]";
            int kind = mix.equals("typical") ? typicalKind(i) : i % 9;
            String detail =
                    switch (kind) {
                        case 0 -> "\"detail\":{\"severity\":[\"CRITICAL\",\"HIGH\"]}";
                        case 1 -> "\"detail\":{\"instance-id\":[{\"prefix\":\"mi-" + (i % 16) + "\"}]}";
                        case 2 -> "\"detail\":{\"severity\":[{\"anything-but\":[\"LOW\",\"UNSPECIFIED\"]}]}";
                        case 3 -> "\"detail\":{\"missing\":[{\"numeric\":[\">\"," + (i % 30) + "]}]}";
                        case 4 -> "\"detail\":{\"reboot-pending\":[{\"exists\":true}]}";
                        case 5 -> "\"detail\":{\"owner\":[{\"equals-ignore-case\":\"team-" + (i % 12) + "\"}]}";
                        case 6 -> "\"detail\":{\"host\":[{\"wildcard\":\"web-" + (i % 10) + "*.example.com\"}]}";
                        case 7 -> "\"detail\":{\"ip\":[{\"cidr\":\"10." + (i % 8) + ".0.0/16\"}]}";
                        default ->
                            "\"$or\":[{\"detail\":{\"severity\":[\"CRITICAL\"]}},{\"detail\":{\"missing\":[{\"numeric\":[\">=\",50]}]}}]";
                    };
            rules.put("rule-" + i, "{" + source + "," + type + "," + detail + "}");
        }
        matcher = RuleMatcher.of(rules);
        events = new String[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            events[i] = "{\"version\":\"0\",\"id\":\"" + java.util.UUID.randomUUID() + "\",\"detail-type\":\"Type "
                    + (i % 25)
                    + "\",\"source\":\"app" + (i % 40)
                    + "\",\"account\":\"123456789012\",\"time\":\"2026-05-01T18:48:11Z\","
                    + "\"region\":\"us-east-1\",\"resources\":[\"arn:aws:ssm:us-east-1:123456789012:managed-instance/mi-"
                    + Integer.toHexString(i) + "\"],\"detail\":{\"instance-id\":\"mi-" + (i % 16)
                    + "0a1b2c3d4e5f6a7b\","
                    + "\"severity\":\"" + SEVERITIES[i % SEVERITIES.length] + "\",\"missing\":" + (i % 60) + ","
                    + "\"owner\":\"Team-" + (i % 12) + "\",\"host\":\"web-" + (i % 10) + "-" + i + ".example.com\","
                    + "\"ip\":\"10." + (i % 8) + ".3." + (i % 250) + "\""
                    + (i % 3 == 0 ? ",\"reboot-pending\":true" : "") + ",\"compliance-type\":\"Patch\"}}";
        }
        int matched = 0;
        for (String e : events) {
            matched += matcher.match(e).size();
        }
        if (matched == 0) {
            throw new IllegalStateException("benchmark events match no rule");
        }
    }

    /** 60 % exact values, 15 % prefix, 10 % anything-but, 10 % numeric, 5 % exists. */
    static int typicalKind(int i) {
        int slot = i % 20;
        if (slot < 12) {
            return 0;
        }
        if (slot < 15) {
            return 1;
        }
        if (slot < 17) {
            return 2;
        }
        return slot < 19 ? 3 : 4;
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    @Threads(2)
    public List<String> match(Cursor cursor) {
        String event = events[cursor.next++ & (EVENTS - 1)];
        return matcher.match(event);
    }
}
