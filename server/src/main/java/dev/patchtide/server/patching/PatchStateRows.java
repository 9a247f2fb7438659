package dev.patchtide.server.patching;

import dev.patchtide.core.patching.PatchStateVerdict;
import dev.patchtide.server.db.PgArrays;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;

/**
 * The SQL of stored patch states, for many instances at once: each statement takes arrays (one element per
 * instance or per patch row) and {@code unnest}s them, so a batch of reports costs a handful of statements
 * instead of a handful per report (see bench/README.md for what that saved).
 */
final class PatchStateRows {
    private PatchStateRows() {}

    /** A stored state row, as read (and locked) before a new evaluation replaces it. */
    record Stored(
            String instanceId,
            Optional<String> inventoryHash,
            Optional<String> outcomeHash,
            Optional<String> patchesHash,
            boolean needsEvaluation,
            String snapshotId,
            boolean rebootPending,
            PatchEvaluation.Counts counts,
            Instant operationEnd,
            Operation operation,
            Optional<String> installedKey,
            Optional<String> installedJudgement) {

        /** The kept installed part, if it was judged from what {@code key} names (see {@link KeptJudgement}). */
        Optional<dev.patchtide.core.patching.InstalledJudgement> kept(String key) {
            return installedKey.filter(key::equals).flatMap(k -> installedJudgement.map(KeptJudgement::read));
        }
    }

    /** Locks the state rows of these instances, in id order (as every writer does), and returns them by id. */
    static Map<String, Stored> lock(Handle h, Collection<String> instanceIds) {
        Map<String, Stored> out = new LinkedHashMap<>();
        // Not SELECT *: last_scan (the stored scan, kilobytes of JSON text) would be read and sent for nothing.
        h.createQuery("SELECT instance_id, inventory_hash, outcome_hash, patches_hash, needs_evaluation, snapshot_id,"
                        + " reboot_required, compliance_status, baseline_id, patch_group, installed_count,"
                        + " installed_other_count, installed_pending_reboot_count, installed_rejected_count,"
                        + " missing_count, failed_count, not_applicable_count, critical_non_compliant_count,"
                        + " security_non_compliant_count, other_non_compliant_count, operation_end_time, operation,"
                        + " reboot_option, operation_snapshot_id, install_override_list, installed_key,"
                        + " installed_judgement FROM instance_patch_states"
                        + " WHERE instance_id = ANY(:ids) ORDER BY instance_id FOR UPDATE")
                .bind("ids", texts(new ArrayList<>(instanceIds)))
                .map((rs, ctx) -> new Stored(
                        rs.getString("instance_id"),
                        Optional.ofNullable(rs.getString("inventory_hash")),
                        Optional.ofNullable(rs.getString("outcome_hash")),
                        Optional.ofNullable(rs.getString("patches_hash")),
                        rs.getBoolean("needs_evaluation"),
                        rs.getString("snapshot_id"),
                        rs.getBoolean("reboot_required") || rs.getInt("installed_pending_reboot_count") > 0,
                        PatchEvaluation.Counts.read(rs),
                        rs.getTimestamp("operation_end_time").toInstant(),
                        new Operation(
                                rs.getString("instance_id"),
                                rs.getString("operation"),
                                rs.getString("reboot_option"),
                                rs.getString("operation_snapshot_id"),
                                rs.getString("install_override_list"),
                                null),
                        Optional.ofNullable(rs.getString("installed_key")),
                        Optional.ofNullable(rs.getString("installed_judgement"))))
                .forEach(s -> out.put(s.instanceId(), s));
        return out;
    }

    /** The instances' stored scans (as {@link PatchEvaluation#write} wrote them), by instance id. */
    static Map<String, String> storedScans(Handle h, List<String> instanceIds) {
        Map<String, String> out = new LinkedHashMap<>();
        if (instanceIds.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT instance_id, last_scan FROM instance_patch_states WHERE instance_id = ANY(:ids)")
                .bind("ids", texts(instanceIds))
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** A scan that changed nothing: only its times move. */
    record Times(String instanceId, Instant start, Instant end) {}

    static void touch(Handle h, List<Times> times) {
        if (times.isEmpty()) {
            return;
        }
        h.createUpdate("UPDATE instance_patch_states s SET operation_start_time = t.start_time,"
                        + " operation_end_time = t.end_time FROM unnest(:ids, CAST(:starts AS timestamptz[]),"
                        + " CAST(:ends AS timestamptz[])) AS t(id, start_time, end_time) WHERE s.instance_id = t.id")
                .bind("ids", texts(column(times, Times::instanceId)))
                .bind("starts", texts(column(times, t -> t.start().toString())))
                .bind("ends", texts(column(times, t -> t.end().toString())))
                .execute();
    }

    /**
     * The operation behind a stored report (AWS-RunPatchBaseline's Operation, RebootOption, SnapshotId and
     * InstallOverrideList); {@code noRebootInstall} is its start when it was an Install with NoReboot.
     */
    record Operation(
            String instanceId,
            String operation,
            String rebootOption,
            String snapshotId,
            String installOverrideList,
            Instant noRebootInstall) {

        /** What a state row holds right after its first report stored it: a Scan, nothing else. */
        static Operation firstScan(String instanceId) {
            return new Operation(instanceId, "Scan", null, null, null, null);
        }

        /**
         * True if storing this operation over {@code stored} (as read from the row) would change the row: a
         * NoReboot install always does (its time), any other only where a recorded member differs.
         */
        boolean changes(Operation stored) {
            return noRebootInstall != null
                    || !(Objects.equals(operation, stored.operation())
                            && Objects.equals(rebootOption, stored.rebootOption())
                            && Objects.equals(snapshotId, stored.snapshotId())
                            && Objects.equals(installOverrideList, stored.installOverrideList()));
        }
    }

    /**
     * Records the operation of each stored report, rewriting only rows where it differs (most reports are the
     * agent's periodic scans, alike); the time of the last NoReboot install stays until another replaces it.
     * Re-evaluation leaves all of this as the last report set it.
     */
    static void operations(Handle h, List<Operation> operations) {
        if (operations.isEmpty()) {
            return;
        }
        h.createUpdate("UPDATE instance_patch_states s SET operation = o.operation, reboot_option = o.reboot,"
                        + " operation_snapshot_id = o.snapshot, install_override_list = o.override_list,"
                        + " last_no_reboot_install_time = COALESCE(o.no_reboot, s.last_no_reboot_install_time)"
                        + " FROM unnest(:ids, :operations, :reboots, :snapshots, :overrides,"
                        + " CAST(:noReboots AS timestamptz[])) AS o(id, operation, reboot, snapshot, override_list,"
                        + " no_reboot) WHERE s.instance_id = o.id AND (o.no_reboot IS NOT NULL OR (s.operation, s.reboot_option,"
                        + " s.operation_snapshot_id, s.install_override_list) IS DISTINCT FROM (o.operation, o.reboot,"
                        + " o.snapshot, o.override_list))")
                .bind("ids", texts(column(operations, Operation::instanceId)))
                .bind("operations", texts(column(operations, Operation::operation)))
                .bind("reboots", texts(column(operations, Operation::rebootOption)))
                .bind("snapshots", texts(column(operations, Operation::snapshotId)))
                .bind("overrides", texts(column(operations, Operation::installOverrideList)))
                .bind(
                        "noReboots",
                        texts(column(
                                operations,
                                o -> o.noRebootInstall() == null
                                        ? null
                                        : o.noRebootInstall().toString())))
                .execute();
    }

    /**
     * Replaces the state rows and patch rows of these instances, whose state rows the caller locked and read
     * ({@code before}; an instance not in it has no row yet).
     */
    static void write(Handle h, List<PatchEvaluation.Judged> judged, Map<String, Stored> before) {
        List<PatchEvaluation.Judged> fresh = new ArrayList<>();
        List<PatchEvaluation.Judged> stored = new ArrayList<>();
        for (PatchEvaluation.Judged j : judged) {
            (before.containsKey(j.input().instanceId()) ? stored : fresh).add(j);
        }
        if (!fresh.isEmpty()) {
            insertStates(h, fresh);
        }
        if (!stored.isEmpty()) {
            updateStates(h, stored);
        }
        replacePatches(h, judged);
    }

    /** The columns every judged row writes, as parameters named after them (see {@link #bindColumns}). */
    private static final String COLUMNS = "unnest(:ids, :oses, :groups, :baselines, :snapshots,"
            + " CAST(:starts AS timestamptz[]), CAST(:ends AS timestamptz[]), :installedOther, :missing,"
            + " :critical, :security, :other, :availableSecurity, :reboot, :statuses, :installed,"
            + " :pendingReboot, :rejected, :failed, :notApplicable, :unreported, :inventoryHashes,"
            + " :reported, :scans, CAST(:evaluatedAt AS timestamptz[]), :outcomeHashes, :patchesHashes,"
            + " :installedKeys, :installedJudgements, :installedNames, :installedLines)"
            + " AS u(id, os, grp, baseline, snapshot, start_time, end_time, installed_other, missing,"
            + " critical, security, other, available_security, reboot, status, installed, pending_reboot,"
            + " rejected, failed, not_applicable, unreported, inventory_hash, reported, scan,"
            + " evaluated_at, outcome_hash, patches_hash, installed_key, installed_judgement, installed_names,"
            + " installed_lines)";

    /** First reports: new rows (a row stored meanwhile by another writer is overwritten, as before). */
    private static void insertStates(Handle h, List<PatchEvaluation.Judged> judged) {
        bindColumns(
                        h.createUpdate("INSERT INTO instance_patch_states (instance_id, operating_system, patch_group,"
                                + " baseline_id, snapshot_id, operation, operation_start_time, operation_end_time,"
                                + " installed_other_count, missing_count, critical_non_compliant_count,"
                                + " security_non_compliant_count, other_non_compliant_count,"
                                + " available_security_update_count, reboot_required, compliance_status,"
                                + " installed_count, installed_pending_reboot_count, installed_rejected_count,"
                                + " failed_count, not_applicable_count, unreported_not_applicable_count,"
                                + " inventory_hash, reported_installed_count, last_scan, evaluated_at,"
                                + " needs_evaluation, outcome_hash, patches_hash, installed_key, installed_judgement,"
                                + " installed_names, installed_lines)"
                                + " SELECT u.id, u.os, u.grp, u.baseline, u.snapshot, 'Scan', u.start_time,"
                                + " u.end_time, u.installed_other, u.missing, u.critical, u.security, u.other,"
                                + " u.available_security, u.reboot, u.status, u.installed, u.pending_reboot,"
                                + " u.rejected, u.failed, u.not_applicable, u.unreported, u.inventory_hash,"
                                + " u.reported, u.scan, u.evaluated_at, false, u.outcome_hash, u.patches_hash,"
                                + " u.installed_key, u.installed_judgement,"
                                + " string_to_array(u.installed_names, E'\\n'), u.installed_lines FROM " + COLUMNS
                                + " ON CONFLICT (instance_id) DO UPDATE SET operating_system = EXCLUDED.operating_system,"
                                + " patch_group = EXCLUDED.patch_group, baseline_id = EXCLUDED.baseline_id,"
                                + " snapshot_id = EXCLUDED.snapshot_id,"
                                + " operation_start_time = EXCLUDED.operation_start_time,"
                                + " operation_end_time = EXCLUDED.operation_end_time,"
                                + " installed_other_count = EXCLUDED.installed_other_count,"
                                + " missing_count = EXCLUDED.missing_count,"
                                + " critical_non_compliant_count = EXCLUDED.critical_non_compliant_count,"
                                + " security_non_compliant_count = EXCLUDED.security_non_compliant_count,"
                                + " other_non_compliant_count = EXCLUDED.other_non_compliant_count,"
                                + " available_security_update_count = EXCLUDED.available_security_update_count,"
                                + " reboot_required = EXCLUDED.reboot_required,"
                                + " compliance_status = EXCLUDED.compliance_status,"
                                + " installed_count = EXCLUDED.installed_count,"
                                + " installed_pending_reboot_count = EXCLUDED.installed_pending_reboot_count,"
                                + " installed_rejected_count = EXCLUDED.installed_rejected_count,"
                                + " failed_count = EXCLUDED.failed_count,"
                                + " not_applicable_count = EXCLUDED.not_applicable_count,"
                                + " unreported_not_applicable_count = EXCLUDED.unreported_not_applicable_count,"
                                + " inventory_hash = EXCLUDED.inventory_hash,"
                                + " reported_installed_count = EXCLUDED.reported_installed_count,"
                                + " last_scan = EXCLUDED.last_scan, evaluated_at = EXCLUDED.evaluated_at,"
                                + " needs_evaluation = false, outcome_hash = EXCLUDED.outcome_hash,"
                                + " patches_hash = EXCLUDED.patches_hash, installed_key = EXCLUDED.installed_key,"
                                + " installed_names = EXCLUDED.installed_names,"
                                + " installed_lines = EXCLUDED.installed_lines,"
                                + " installed_judgement = EXCLUDED.installed_judgement"),
                        judged,
                        false)
                .execute();
    }

    /**
     * Rows that exist (locked by the caller): an UPDATE that leaves the stored scan and the kept installed
     * judgement as they are where they did not change. A NULL parameter means "as stored": the column is set to
     * its own value, so PostgreSQL keeps the TOAST pointer and writes (and later vacuums) no new TOAST value; the
     * kept judgement is a TOAST value of its own (the row's tuple target is 128 bytes, V40) and the scan several
     * kilobytes compressed. A changed report judged with the kept part leaves that part, and a re-evaluation
     * or a report whose update list came by hash usually leaves the scan.
     */
    private static void updateStates(Handle h, List<PatchEvaluation.Judged> judged) {
        bindColumns(
                        h.createUpdate("UPDATE instance_patch_states s SET operating_system = u.os,"
                                + " patch_group = u.grp, baseline_id = u.baseline, snapshot_id = u.snapshot,"
                                + " operation_start_time = u.start_time, operation_end_time = u.end_time,"
                                + " installed_other_count = u.installed_other, missing_count = u.missing,"
                                + " critical_non_compliant_count = u.critical,"
                                + " security_non_compliant_count = u.security, other_non_compliant_count = u.other,"
                                + " available_security_update_count = u.available_security,"
                                + " reboot_required = u.reboot, compliance_status = u.status,"
                                + " installed_count = u.installed, installed_pending_reboot_count = u.pending_reboot,"
                                + " installed_rejected_count = u.rejected, failed_count = u.failed,"
                                + " not_applicable_count = u.not_applicable,"
                                + " unreported_not_applicable_count = u.unreported,"
                                + " inventory_hash = u.inventory_hash, reported_installed_count = u.reported,"
                                + " last_scan = COALESCE(u.scan, s.last_scan), evaluated_at = u.evaluated_at,"
                                + " needs_evaluation = false, outcome_hash = u.outcome_hash,"
                                + " patches_hash = u.patches_hash,"
                                + " installed_key = COALESCE(u.installed_key, s.installed_key),"
                                + " installed_judgement = COALESCE(u.installed_judgement, s.installed_judgement),"
                                + " installed_names = string_to_array(u.installed_names, E'\\n'),"
                                + " installed_lines = u.installed_lines FROM " + COLUMNS
                                + " WHERE s.instance_id = u.id"),
                        judged,
                        true)
                .execute();
    }

    /**
     * Binds {@link #COLUMNS}. With {@code unchangedAsNull}, the scan of an evaluation whose scan is the stored one
     * and the installed key and judgement of one judged with the kept part (whose key is the stored one and whose
     * judgement was read from the row) go as NULL: "leave as stored" for {@link #updateStates}.
     */
    private static org.jdbi.v3.core.statement.Update bindColumns(
            org.jdbi.v3.core.statement.Update update, List<PatchEvaluation.Judged> judged, boolean unchangedAsNull) {
        return update.bind("ids", texts(column(judged, j -> j.input().instanceId())))
                .bind("oses", texts(column(judged, j -> j.input().os())))
                .bind("groups", texts(column(judged, j -> j.input().group())))
                .bind("baselines", texts(column(judged, j -> j.input().baselineId())))
                .bind("snapshots", texts(column(judged, PatchEvaluation.Judged::snapshotId)))
                .bind(
                        "starts",
                        texts(column(judged, j -> j.input().operationStart().toString())))
                .bind("ends", texts(column(judged, j -> j.input().operationEnd().toString())))
                .bind("installedOther", integers(ints(judged, j -> j.counts().installedOther())))
                .bind("missing", integers(ints(judged, j -> j.counts().missing())))
                .bind("critical", integers(ints(judged, j -> j.counts().critical())))
                .bind("security", integers(ints(judged, j -> j.counts().security())))
                .bind("other", integers(ints(judged, j -> j.counts().other())))
                .bind("availableSecurity", integers(ints(judged, j -> j.availableSecurityUpdates())))
                .bind(
                        "reboot",
                        booleans(judged.stream()
                                .map(j -> j.input().scan().rebootRequired())
                                .toList()))
                .bind("statuses", texts(column(judged, j -> j.counts().status())))
                .bind("installed", integers(ints(judged, j -> j.counts().installed())))
                .bind("pendingReboot", integers(ints(judged, j -> j.counts().pendingReboot())))
                .bind("rejected", integers(ints(judged, j -> j.counts().rejected())))
                .bind("failed", integers(ints(judged, j -> j.counts().failed())))
                .bind("notApplicable", integers(ints(judged, j -> j.counts().notApplicable())))
                .bind("unreported", integers(ints(judged, j -> j.judgement().unreportedNotApplicable())))
                .bind(
                        "inventoryHashes",
                        texts(column(judged, j -> j.input().inventoryHash().orElse(null))))
                .bind("reported", integers(ints(judged, j -> j.input().reportedInstalledCount())))
                .bind(
                        "scans",
                        texts(column(
                                judged,
                                j -> unchangedAsNull && j.input().scanStored()
                                        ? null
                                        : j.input().scanJson())))
                .bind(
                        "evaluatedAt",
                        texts(column(judged, j -> j.input().evaluatedAt().toString())))
                .bind(
                        "outcomeHashes",
                        texts(column(judged, j -> j.input().outcomeHash().orElse(null))))
                .bind("patchesHashes", texts(column(judged, j -> j.input().patchesHash())))
                .bind(
                        "installedKeys",
                        texts(column(
                                judged,
                                j -> unchangedAsNull && j.input().kept().isPresent() ? null : j.installedKey())))
                .bind(
                        "installedJudgements",
                        texts(column(
                                judged,
                                j -> unchangedAsNull && j.input().kept().isPresent()
                                        ? null
                                        : KeptJudgement.write(j.installed()))))
                .bind("installedNames", texts(column(judged, j -> j.namedLines()
                        .map(KeptLines::names)
                        .orElse(null))))
                .bind("installedLines", texts(column(judged, j -> j.namedLines()
                        .map(KeptLines::lines)
                        .orElse(null))));
    }

    /**
     * Brings the instances' patch rows to the judged ones, writing only what differs: a changed scan usually
     * adds or drops a row or two, and rewriting every row (and its index entry, WAL and dead tuple) was most
     * of a changed report's database time. Rows no longer judged are deleted; new or different ones upserted.
     */
    private static void replacePatches(Handle h, List<PatchEvaluation.Judged> judged) {
        List<String> ids = new ArrayList<>();
        List<PatchStateVerdict> rows = new ArrayList<>();
        for (PatchEvaluation.Judged j : judged) {
            // One row per KB id (the first), as the table's key allows: an upsert may not touch a row twice.
            Set<String> kbs = new HashSet<>();
            for (PatchStateVerdict v : j.rows()) {
                if (kbs.add(v.kbId())) {
                    ids.add(j.input().instanceId());
                    rows.add(v);
                }
            }
        }
        h.createUpdate("DELETE FROM instance_patches p WHERE p.instance_id = ANY(:instances) AND NOT EXISTS"
                        + " (SELECT 1 FROM unnest(:ids, :kbs) AS n(id, kb) WHERE n.id = p.instance_id"
                        + " AND n.kb = p.kb_id)")
                .bind("instances", texts(column(judged, j -> j.input().instanceId())))
                .bind("ids", texts(ids))
                .bind("kbs", texts(column(rows, PatchStateVerdict::kbId)))
                .execute();
        if (rows.isEmpty()) {
            return;
        }
        // A row stored exactly so already is left out before the upsert: ON CONFLICT DO UPDATE locks every row it
        // meets, even one its WHERE then leaves alone (a heap write and a WAL record each), and a changed report
        // leaves most of its rows as they were. The state rows are locked, so no other writer changes these rows.
        h.createUpdate("INSERT INTO instance_patches AS p (instance_id, title, kb_id, classification, severity,"
                        + " state, compliance_level, cve_ids, security, installed_time) SELECT n.* FROM unnest(:ids,"
                        + " :titles, :kbs, :classifications, :severities, :states, :levels, :cves, :securities,"
                        + " CAST(:installedTimes AS timestamptz[])) AS n(id, title, kb, classification, severity,"
                        + " state, level, cves, security, installed_time) WHERE NOT EXISTS (SELECT 1 FROM"
                        + " instance_patches o WHERE o.instance_id = n.id AND o.kb_id = n.kb AND (o.title,"
                        + " o.classification, o.severity, o.state, o.compliance_level, o.cve_ids, o.security,"
                        + " o.installed_time) IS NOT DISTINCT FROM (n.title, n.classification, n.severity, n.state,"
                        + " n.level, n.cves, n.security, n.installed_time))"
                        + " ON CONFLICT (instance_id, kb_id) DO UPDATE SET title = EXCLUDED.title,"
                        + " classification = EXCLUDED.classification, severity = EXCLUDED.severity,"
                        + " state = EXCLUDED.state, compliance_level = EXCLUDED.compliance_level,"
                        + " cve_ids = EXCLUDED.cve_ids, security = EXCLUDED.security,"
                        + " installed_time = EXCLUDED.installed_time"
                        + " WHERE (p.title, p.classification, p.severity, p.state, p.compliance_level, p.cve_ids,"
                        + " p.security, p.installed_time) IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.classification,"
                        + " EXCLUDED.severity, EXCLUDED.state, EXCLUDED.compliance_level, EXCLUDED.cve_ids,"
                        + " EXCLUDED.security, EXCLUDED.installed_time)")
                .bind("ids", texts(ids))
                .bind("titles", texts(column(rows, PatchStateVerdict::title)))
                .bind("kbs", texts(column(rows, PatchStateVerdict::kbId)))
                .bind("classifications", texts(column(rows, PatchStateVerdict::classification)))
                .bind("severities", texts(column(rows, PatchStateVerdict::severity)))
                .bind("states", texts(column(rows, v -> v.state().name())))
                .bind("levels", texts(column(rows, PatchStateVerdict::complianceLevel)))
                .bind("cves", texts(column(rows, v -> String.join(",", v.cves()))))
                .bind(
                        "securities",
                        booleans(rows.stream().map(PatchStateVerdict::security).toList()))
                .bind("installedTimes", texts(column(rows, v -> v.installedTime()
                        .map(Instant::toString)
                        .orElse(null))))
                .execute();
    }

    static <T> List<Integer> ints(List<T> rows, ToIntFunction<T> value) {
        List<Integer> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(value.applyAsInt(r)));
        return out;
    }

    /**
     * Array parameters as plain JDBC arrays: JDBI's {@code bindArray} resolves the element type by reflection
     * on every call, which showed in the ingest profile. Texts go as the Java array itself ({@link PgArrays}): a
     * {@code createArrayOf} array is sent as a literal with every character of every element quoted and escaped
     * (the ~9 KB scans among them), the largest part of binding the state UPSERT in a profile. They arrive as
     * {@code varchar[]}, which every statement here takes as it took {@code text[]} (same casts, same comparisons).
     */
    static Argument texts(List<String> values) {
        return PgArrays.texts(values.toArray(String[]::new));
    }

    static Argument integers(List<Integer> values) {
        return array("int4", values);
    }

    static Argument booleans(List<Boolean> values) {
        return array("bool", values);
    }

    private static Argument array(String type, List<?> values) {
        return (position, statement, ctx) ->
                statement.setArray(position, statement.getConnection().createArrayOf(type, values.toArray()));
    }

    /** A column of strings for an array parameter (nulls allowed, which {@code Stream.toList} also keeps). */
    static <T> List<String> column(List<T> rows, Function<T, String> value) {
        List<String> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(value.apply(r)));
        return out;
    }
}
