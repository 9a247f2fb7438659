package dev.patchtide.bench.fleet;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.patchtide.server.db.DatabaseSettings;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many virtual agents speaking the real protocol to a real server: register through hybrid activations,
 * report facts, send scan reports in rounds, then measure the read-side queries at that fleet size.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.patchtide.bench.fleet.FleetSimulator --hosts 10000 --concurrency 32</pre>
 */
public final class FleetSimulator {
    /** What a run measured, for the smoke test and for printing. */
    public record Report(
            Phase.Result registration,
            Phase.Result facts,
            List<Phase.Result> ingestRounds,
            List<ScanRounds.Stats> roundStats,
            long missingRows,
            List<Queries.Measured> queries,
            ScanRounds scans) {
        public double medianIngestPerSecond() {
            double[] rates = ingestRounds.stream()
                    .mapToDouble(Phase.Result::perSecond)
                    .sorted()
                    .toArray();
            if (rates.length == 0) {
                return 0;
            }
            int mid = rates.length / 2;
            return rates.length % 2 == 1 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
        }
    }

    private static final String STATE_TABLE = "instance_patch_states";

    private FleetSimulator() {}

    public static void main(String[] args) throws Exception {
        FleetOptions options;
        try {
            options = FleetOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        try (ServerTarget target = options.server().isPresent()
                ? ServerTarget.remote(
                        options.server().get(),
                        options.adminKeyId().orElseThrow(),
                        options.adminSecret().orElseThrow())
                : ServerTarget.inProcess(
                        options.dataDir(), options.region(), options.dbPoolSize(), true, options.jdbcOptions())) {
            run(options, target, System.out);
        } finally {
            options.deleteTemporaryDataDir();
        }
    }

    static Report run(FleetOptions o, ServerTarget target, PrintStream out) throws Exception {
        out.printf(
                "fleet: %d hosts, %d client threads, %d rounds (%s, changed share %.2f), server %s (%s), %d cores,"
                        + " JDK %s%n",
                o.hosts(),
                o.concurrency(),
                o.rounds(),
                o.installedCountOnly()
                        ? "InstalledCount only"
                        : "inventory and patch list or their hashes, as the agent",
                o.changedShare(),
                target.endpoint(),
                target.inProcess()
                        ? "in this JVM, embedded PostgreSQL, pool " + o.dbPoolSize()
                                + (o.jdbcOptions().isEmpty() ? "" : ", JDBC " + o.jdbcOptions())
                        : "remote",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        FleetClient client = new FleetClient(target.endpoint(), o.region(), mapper());
        Fleet fleet = new Fleet(client, target.admin(), o.hosts());
        long t0 = System.nanoTime();
        fleet.createActivations(o.concurrency());
        out.printf("created %d activations in %.2f s%n", fleet.activationCount(), (System.nanoTime() - t0) / 1e9);

        Phase.Result registration = Phase.run(
                target.cpu(),
                "RegisterManagedInstance",
                o.hosts(),
                o.concurrency(),
                client::httpCpuNanos,
                fleet::register);
        out.println(registration.summary());
        requireNoFailures(registration);
        Phase.Result facts = Phase.run(
                target.cpu(),
                "UpdateInstanceInformation",
                o.hosts(),
                o.concurrency(),
                client::httpCpuNanos,
                fleet::updateInstanceInformation);
        out.println(facts.summary());
        requireNoFailures(facts);
        // The steady state of a fleet: every agent's next heartbeat, its facts as before (only the time moved).
        Phase.Result beats = Phase.run(
                target.cpu(),
                "UpdateInstanceInformation (heartbeat, facts unchanged)",
                o.hosts(),
                o.concurrency(),
                client::httpCpuNanos,
                fleet::updateInstanceInformation);
        out.println(beats.summary());
        requireNoFailures(beats);

        FleetModel model = new FleetModel(o.seed());
        FleetModel.Host[] hosts = new FleetModel.Host[o.hosts()];
        long available = 0;
        java.util.stream.IntStream.range(0, hosts.length).parallel().forEach(i -> hosts[i] = model.host(i));
        for (FleetModel.Host h : hosts) {
            available += h.updates().size();
        }
        out.printf(
                "inventories: %d installed packages and %.1f available updates per host on average%n",
                Arrays.stream(hosts).mapToLong(FleetModel.Host::installedCount).sum() / hosts.length,
                available / (double) hosts.length);
        ScanRounds scans = new ScanRounds(fleet, client, model, o);
        long p0 = System.nanoTime();
        if (o.rounds() > 0) {
            scans.prepare(hosts);
        }
        out.printf(
                "prepared every host's report (inventory hashes as the agent computes them) in %.2f s%n",
                (System.nanoTime() - p0) / 1e9);
        List<Phase.Result> rounds = new ArrayList<>();
        List<ScanRounds.Stats> stats = new ArrayList<>();
        AtomicLong missing = new AtomicLong();
        Optional<DatabaseSettings> tableStats = o.tableStats() ? target.database() : Optional.empty();
        Optional<StatementStats.TableWrites> writes =
                tableStats.map(db -> StatementStats.settledTableWrites(db, STATE_TABLE));
        Optional<DatabaseSettings> walDb = o.walStats() ? target.database() : Optional.empty();
        walDb.ifPresent(db -> WalStats.printSettings(db, out));
        for (int r = 1; r <= o.rounds(); r++) {
            target.statementStats().ifPresent(StatementStats::reset);
            Instant end = Instant.now();
            Instant start = end.minusSeconds(40);
            Optional<WalStats.Snapshot> walBefore = walDb.map(WalStats::snapshot);
            ScanRounds.Stats round = scans.round(target.cpu(), r, start, end);
            out.println(round.phase().summary());
            out.println(round.summary());
            if (walBefore.isPresent()) {
                out.println(WalStats.snapshot(walDb.get())
                        .since(walBefore.get(), r, round.phase().calls()));
            }
            if (writes.isPresent()) {
                StatementStats.TableWrites now = StatementStats.settledTableWrites(tableStats.get(), STATE_TABLE);
                out.printf("  round %d, %s: %s%n", r, STATE_TABLE, now.since(writes.get()));
                writes = Optional.of(now);
            }
            rounds.add(round.phase());
            stats.add(round);
            missing.set(round.missing());
        }
        out.printf(
                "missing patches stored: %d rows (%.1f per host)%n", missing.get(), missing.get() / (double) o.hosts());
        target.statementStats().ifPresent(db -> {
            out.println("PostgreSQL time by statement, last ingest round (pg_stat_statements):");
            StatementStats.print(db, 12, out);
            out.println("writes to the patch state table and its TOAST table since the start:");
            StatementStats.tableWrites(db, "instance_patch_states", out);
            out.println("generic plan of the patch-group look-up every report makes:");
            StatementStats.explainGeneric(
                    db,
                    "SELECT tag_value FROM resource_tags WHERE resource_type = 'ManagedInstance' AND resource_id = $1"
                            + " AND tag_key IN ('Patch Group', 'PatchGroup') ORDER BY tag_key = 'Patch Group' DESC"
                            + " LIMIT 1",
                    fleet.agent(0).instanceId(),
                    out);
        });

        Queries.Context context = new Queries.Context(
                fleet.instanceIds(), groups(fleet.activationCount()), new SplittableRandom(o.seed()));
        List<Queries.Measured> queries = new ArrayList<>();
        Optional<Map<String, Long>> scansBefore =
                tableStats.map(db -> StatementStats.settledIndexScans(db, STATE_TABLE));
        for (Queries.Query q : Queries.ALL) {
            Queries.Measured m = Queries.measure(client, target.admin(), target.cpu(), q, context, o.querySamples());
            out.println(m.summary());
            queries.add(m);
        }
        scansBefore.ifPresent(before -> {
            out.println("scans of each index of " + STATE_TABLE + " by the queries above:");
            StatementStats.settledIndexScans(tableStats.get(), STATE_TABLE)
                    .forEach((index, count) ->
                            out.printf("  %-45s %8d%n", index, count - before.getOrDefault(index, 0L)));
        });
        Report report = new Report(registration, facts, rounds, stats, missing.get(), queries, scans);
        out.printf(
                "SUMMARY hosts=%d registration=%.0f/s ingest(median of %d rounds)=%.0f reports/s%n",
                o.hosts(), registration.perSecond(), rounds.size(), report.medianIngestPerSecond());
        if (target.database().isPresent()) {
            SummarySqlProbe.run(
                    target.database().get(), context.instanceIds(), context.patchGroups(), o.querySamples(), out);
        }
        if (o.ingestSql()) {
            IngestSqlComparison.run(target.database().orElseThrow(), target.cpu(), fleet, hosts, o.concurrency(), out);
        }
        return report;
    }

    private static List<String> groups(int activations) {
        List<String> groups = new ArrayList<>();
        for (int a = 0; a < activations; a++) {
            String g = Fleet.patchGroup(a);
            if (!groups.contains(g)) {
                groups.add(g);
            }
        }
        return groups;
    }

    private static void requireNoFailures(Phase.Result r) {
        if (r.failures() > 0) {
            throw new IllegalStateException(r.name() + " failed " + r.failures() + " times: " + r.firstFailure());
        }
    }

    /** The agent's JSON conventions: PascalCase members, no nulls. */
    static ObjectMapper mapper() {
        // One pool of Jackson's buffers for all threads: the default keeps them per thread, and each of the
        // simulator's short-lived virtual threads (an agent's result) allocated its own 8-16 KB afresh.
        JsonFactory factory = JsonFactory.builder()
                .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                .build();
        return JsonMapper.builder(factory)
                .addModule(new JavaTimeModule())
                .propertyNamingStrategy(PropertyNamingStrategies.UPPER_CAMEL_CASE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
    }
}
