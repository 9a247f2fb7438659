-- DescribeInstancePatchStatesForPatchGroup pages through one patch group in instance id order (keyset on the
-- NextToken). Without this index the planner walked the primary key and dropped the other groups' rows (about
-- 23 of every 24 in the simulated fleet), or read the whole group and sorted it. patch_group never changes on
-- the frequent "only the times moved" update, so those stay HOT and never touch this index.
CREATE INDEX instance_patch_states_by_group ON instance_patch_states (patch_group, instance_id);

-- The same, for the counts that are zero on nearly every instance: a filter such as FailedCount > 0 would
-- otherwise read the whole group to find the few instances it wants. The describe writes its count filters as
-- literals, so the planner can prove a filter implies this predicate.
CREATE INDEX instance_patch_states_exceptions ON instance_patch_states (patch_group, instance_id)
    WHERE failed_count > 0 OR installed_pending_reboot_count > 0 OR installed_rejected_count > 0;
