package dev.patchtide.bench.fleet;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/** The simulator's settings, validated up front; an error names the option. */
record FleetOptions(
        int hosts,
        int concurrency,
        int rounds,
        int querySamples,
        long seed,
        Optional<URI> server,
        Optional<String> adminKeyId,
        Optional<String> adminSecret,
        String region,
        Path dataDir,
        boolean temporaryDataDir,
        int dbPoolSize,
        String jdbcOptions,
        boolean ingestSql,
        boolean installedCountOnly,
        double changedShare,
        boolean tableStats,
        boolean walStats) {

    static final String USAGE =
            """
            usage: FleetSimulator [--hosts N] [--concurrency C] [--rounds R] [--query-samples S] [--seed X]
                                  [--server URL --admin-key-id ID --admin-secret SECRET] [--region R]
                                  [--data-dir DIR] [--db-pool-size P] [--jdbc-options K=V&K=V] [--ingest-sql]
                                  [--installed-count-only] [--changed-share P] [--table-stats]
                                  [--wal-stats]
              Without --server: starts a server in this JVM over an embedded PostgreSQL in --data-dir
              (default: a fresh temporary folder). --ingest-sql (in-process only) also compares ingest SQL
              strategies directly against the same schema. --jdbc-options are appended to the in-process
              server's JDBC URL (e.g. reWriteBatchedInserts=true) to try a driver setting end to end.
              Reports are the agent's: the first carries the whole inventory, later ones its hash;
              --installed-count-only sends InstalledCount only (an older agent's reports). --changed-share P
              (0..1): from round 2 on, that share of hosts gets one or two new security updates each round.
              --table-stats (in-process only): after each round, waits for PostgreSQL's counters to settle
              (about 11 s) and prints that round's writes to the patch state table (updated, HOT); after the
              queries, the scans of each of its indexes they made. --wal-stats (in-process only): each round's
              WAL (records, full-page images, bytes), checkpoints, buffers written and autovacuum runs.""";

    FleetOptions {
        positive("hosts", hosts);
        positive("concurrency", concurrency);
        if (rounds < 0) {
            // 0: registrations, heartbeats and queries only (no scan reports), to measure those alone
            throw new IllegalArgumentException("--rounds cannot be less than 0, got " + rounds);
        }
        positive("query-samples", querySamples);
        positive("db-pool-size", dbPoolSize);
        if (server.isPresent() && (adminKeyId.isEmpty() || adminSecret.isEmpty())) {
            throw new IllegalArgumentException("--server needs --admin-key-id and --admin-secret");
        }
        if (!jdbcOptions.isEmpty() && (ingestSql || server.isPresent())) {
            throw new IllegalArgumentException(
                    "--jdbc-options is for the in-process server and would skew --ingest-sql's baseline");
        }
        if (!(changedShare >= 0 && changedShare <= 1)) {
            throw new IllegalArgumentException("--changed-share must be between 0 and 1, got " + changedShare);
        }
        if (server.isPresent() && tableStats) {
            throw new IllegalArgumentException("--table-stats needs the in-process server (no --server)");
        }
        if (server.isPresent() && walStats) {
            throw new IllegalArgumentException("--wal-stats needs the in-process server (no --server)");
        }
        if (server.isPresent() && ingestSql) {
            throw new IllegalArgumentException("--ingest-sql needs the in-process server (no --server)");
        }
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException("--" + name + " cannot be less than 1, got " + value);
        }
    }

    /** Removes the data folder if this run made it (a 100,000-host database is gigabytes). */
    void deleteTemporaryDataDir() throws java.io.IOException {
        if (!temporaryDataDir || !java.nio.file.Files.exists(dataDir)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(dataDir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        }
    }

    static FleetOptions parse(String[] args) {
        int hosts = 1_000;
        int concurrency = 32;
        int rounds = 3;
        int samples = 200;
        long seed = 42;
        Optional<URI> server = Optional.empty();
        Optional<String> keyId = Optional.empty();
        Optional<String> secret = Optional.empty();
        String region = "us-east-1";
        Path dataDir = null;
        int pool = 20;
        String jdbcOptions = "";
        boolean ingestSql = false;
        boolean installedCountOnly = false;
        double changedShare = 0;
        boolean tableStats = false;
        boolean walStats = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--ingest-sql")) {
                ingestSql = true;
                continue;
            }
            if (a.equals("--installed-count-only")) {
                installedCountOnly = true;
                continue;
            }
            if (a.equals("--table-stats")) {
                tableStats = true;
                continue;
            }
            if (a.equals("--wal-stats")) {
                walStats = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + a + "\n" + USAGE);
            }
            String v = args[++i];
            switch (a) {
                case "--hosts" -> hosts = Integer.parseInt(v);
                case "--concurrency" -> concurrency = Integer.parseInt(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--query-samples" -> samples = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--server" -> server = Optional.of(URI.create(v));
                case "--admin-key-id" -> keyId = Optional.of(v);
                case "--admin-secret" -> secret = Optional.of(v);
                case "--region" -> region = v;
                case "--data-dir" -> dataDir = Path.of(v);
                case "--db-pool-size" -> pool = Integer.parseInt(v);
                case "--jdbc-options" -> jdbcOptions = v;
                case "--changed-share" -> changedShare = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        boolean temporary = dataDir == null;
        if (temporary) {
            try {
                dataDir = java.nio.file.Files.createTempDirectory(
                        "patchtide-fleet",
                        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot create a temporary data folder", e);
            }
        }
        return new FleetOptions(
                hosts,
                concurrency,
                rounds,
                samples,
                seed,
                server,
                keyId,
                secret,
                region,
                dataDir,
                temporary,
                pool,
                jdbcOptions,
                ingestSql,
                installedCountOnly,
                changedShare,
                tableStats,
                walStats);
    }
}
