package dev.patchtide.bench.fleet;

import dev.patchtide.agent.ApiCallException;
import dev.patchtide.core.auth.SigV4Credentials;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The read side measured at fleet scale: a table of named API queries, each a target and a body made
 * fresh for every call (random ids, a random patch group). Add a row to measure a new action; a row
 * whose action the server does not have is reported as such, not failed.
 */
final class Queries {
    /** What a query body may draw on: the fleet's instance ids, patch groups and a random source. */
    record Context(List<String> instanceIds, List<String> patchGroups, SplittableRandom random) {
        String anyGroup() {
            return patchGroups.get(random.nextInt(patchGroups.size()));
        }

        List<String> anyIds(int n) {
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(instanceIds.get(random.nextInt(instanceIds.size())));
            }
            return out;
        }
    }

    record Query(String name, String target, Function<Context, Map<String, Object>> body) {}

    static final List<Query> ALL = List.of(
            new Query(
                    "DescribeInstancePatchStates (50 ids)",
                    "AmazonSSM.DescribeInstancePatchStates",
                    c -> Map.of("InstanceIds", c.anyIds(50))),
            new Query(
                    "DescribeInstancePatchStatesForPatchGroup",
                    "AmazonSSM.DescribeInstancePatchStatesForPatchGroup",
                    c -> Map.of("PatchGroup", c.anyGroup(), "MaxResults", 50)),
            new Query(
                    "DescribeInstancePatchStatesForPatchGroup (MissingCount > 0)",
                    "AmazonSSM.DescribeInstancePatchStatesForPatchGroup",
                    c -> Map.of(
                            "PatchGroup",
                            c.anyGroup(),
                            "Filters",
                            List.of(Map.of("Key", "MissingCount", "Values", List.of("0"), "Type", "GreaterThan")),
                            "MaxResults",
                            50)),
            new Query(
                    "DescribeInstanceInformation (tag:Patch Group)",
                    "AmazonSSM.DescribeInstanceInformation",
                    c -> Map.of(
                            "Filters",
                            List.of(Map.of("Key", "tag:Patch Group", "Values", List.of(c.anyGroup()))),
                            "MaxResults",
                            50)),
            new Query("GetFleetComplianceSummary", "Patchtide.GetFleetComplianceSummary", c -> Map.of()),
            new Query(
                    "GetFleetComplianceSummary (one patch group)",
                    "Patchtide.GetFleetComplianceSummary",
                    c -> Map.of("PatchGroup", c.anyGroup())),
            new Query(
                    "ListInstanceCompliance (Status NON_COMPLIANT, with tags)",
                    "Patchtide.ListInstanceCompliance",
                    c -> Map.of(
                            "Filters",
                            List.of(Map.of("Key", "Status", "Values", List.of("NON_COMPLIANT"))),
                            "MaxResults",
                            50)));

    /**
     * {@code cpu}: what the measured calls cost the whole JVM (server and this one caller's client side, alike
     * for every server version) and our PostgreSQL.
     */
    record Measured(Query query, Optional<String> unavailable, long[] latencyNanos, CpuMeter.Usage cpu) {
        String summary() {
            if (unavailable.isPresent()) {
                return String.format("%-75s not measured: %s", query.name(), unavailable.get());
            }
            return String.format(
                    "%-75s p50 %7.2f ms  p99 %7.2f ms  (%d calls)  CPU a call: JVM %.2f ms + PostgreSQL %.2f ms",
                    query.name(),
                    Phase.percentileMillis(latencyNanos, 50),
                    Phase.percentileMillis(latencyNanos, 99),
                    latencyNanos.length,
                    cpu.jvmSeconds() * 1000 / latencyNanos.length,
                    cpu.postgresSeconds() * 1000 / latencyNanos.length);
        }
    }

    private static final CpuMeter.Usage NONE = new CpuMeter.Usage(0, 0);

    private Queries() {}

    /** One caller, one query at a time (latency, not throughput): a few warm-up calls, then {@code samples}. */
    static Measured measure(FleetClient client, SigV4Credentials admin, CpuMeter cpu, Query q, Context c, int samples)
            throws IOException {
        try {
            client.call(q.target(), q.body().apply(c), Optional.of(admin));
        } catch (ApiCallException e) {
            return new Measured(q, Optional.of(e.getMessage()), new long[0], NONE);
        }
        try {
            for (int i = 0; i < Math.min(50, samples); i++) {
                client.call(q.target(), q.body().apply(c), Optional.of(admin));
            }
            long[] nanos = new long[samples];
            CpuMeter.Snapshot before = cpu.snapshot();
            for (int i = 0; i < samples; i++) {
                Map<String, Object> body = q.body().apply(c);
                long t0 = System.nanoTime();
                client.call(q.target(), body, Optional.of(admin));
                nanos[i] = System.nanoTime() - t0;
            }
            return new Measured(q, Optional.empty(), nanos, cpu.snapshot().since(before));
        } catch (ApiCallException e) {
            return new Measured(q, Optional.of("failed: " + e.getMessage()), new long[0], NONE);
        }
    }
}
