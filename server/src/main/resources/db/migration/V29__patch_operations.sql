-- What the operation behind an instance's last scan report was (AWS-RunPatchBaseline's parameters), shown by
-- DescribeInstancePatchStates as AWS shows them. snapshot_id stays the judgement's own id (caches key on it);
-- operation_snapshot_id is the caller's SnapshotId, shown instead when the operation named one.
ALTER TABLE instance_patch_states
    ADD COLUMN reboot_option               text,
    ADD COLUMN operation_snapshot_id       text,
    ADD COLUMN install_override_list       text,
    ADD COLUMN last_no_reboot_install_time timestamptz;

-- AWS's SnapshotId: the first install plan asked for with a snapshot id fixes the baseline (and the day its
-- approval delays count to) for every later plan with the same id, so a fleet patched in one operation gets
-- one set of approved patches even when the baseline changes midway.
CREATE TABLE patch_baseline_snapshots (
    snapshot_id text        NOT NULL,
    baseline_id text        NOT NULL,
    definition  jsonb       NOT NULL,
    taken_at    timestamptz NOT NULL,
    PRIMARY KEY (snapshot_id, baseline_id)
);
