-- V40's toast_tuple_target of 128 bytes moves the stored scan out of the row, as meant, but PostgreSQL keeps
-- moving values out until the row fits 128 bytes, which this row never does: every text over 24 bytes went to the
-- TOAST table too, each on its own (the snapshot id, the inventory, outcome, patches and installed-key hashes, a
-- long baseline id or patch group). Measured in the fleet simulator (bench/README.md, fleet9): 8.2 TOAST values
-- written a state row written, each with its TOAST index entry, and as many dropped when the row is rewritten;
-- every read of the row fetched them back, one TOAST index probe each. MAIN keeps these short values in the row
-- (PostgreSQL moves a MAIN value out only when the row would not fit a page): 3.9 TOAST values a row written, the
-- stored scan and the kept lines, names and judgement, as before. Takes effect as rows are written: no rewrite now.
ALTER TABLE instance_patch_states
    ALTER COLUMN snapshot_id SET STORAGE MAIN,
    ALTER COLUMN operation_snapshot_id SET STORAGE MAIN,
    ALTER COLUMN baseline_id SET STORAGE MAIN,
    ALTER COLUMN patch_group SET STORAGE MAIN,
    ALTER COLUMN inventory_hash SET STORAGE MAIN,
    ALTER COLUMN outcome_hash SET STORAGE MAIN,
    ALTER COLUMN patches_hash SET STORAGE MAIN,
    ALTER COLUMN installed_key SET STORAGE MAIN;
