-- The hash of the patch list last judged (see OutcomeHash.patches), returned to the agent as PatchesHash: an
-- agent whose next scan finds the same list sends the hash alone, and the stored scan (last_scan) stands in.
ALTER TABLE instance_patch_states ADD COLUMN patches_hash text;
