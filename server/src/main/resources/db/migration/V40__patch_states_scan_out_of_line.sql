-- The stored scan (last_scan, about 8.8 KB of jsonb that pglz squeezes to about 1.7 KB) was kept inside the state
-- row, which made each row about 2.1 KB: three rows a page, and a page rarely had room for the new version of a
-- row whose times moved, so most "only the times moved" updates were not HOT (a new tuple elsewhere, an entry in
-- each of the table's indexes, a full row of WAL). With a tuple target of 128 bytes every row that is toasted at all
-- keeps its compressed scan in the TOAST table and only a pointer inline: rows of a few hundred bytes, many a page,
-- HOT updates that copy the pointer and never touch the scan. PostgreSQL toasts a row when it is written wider than
-- about 2 KB, which every report that stores a scan is (the scan arrives uncompressed); rows written before this
-- move out as they are rewritten. Readers of last_scan are unchanged: the value is fetched when selected.
ALTER TABLE instance_patch_states SET (toast_tuple_target = 128);
