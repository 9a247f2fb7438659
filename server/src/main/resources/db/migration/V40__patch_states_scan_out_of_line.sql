-- The stored scan (last_scan, about 8.8 KB of jsonb that pglz squeezes to about 1.7 KB) was kept inside the state
-- row, which made each row about 2.1 KB: three rows a page. With a tuple target of 128 bytes every row that is
-- toasted at all keeps its compressed scan in the TOAST table and only a pointer inline: rows of a few hundred
-- bytes, so the table's heap is a third of its size (measured, bench/README.md "reports, third pass") and the
-- updates that only move a row's times copy the pointer, never the scan. (The share of HOT updates did not change
-- in that measurement.) PostgreSQL toasts a row when it is written wider than about 2 KB, which every report that
-- stores a scan is; rows written before this move out as they are rewritten. Readers of last_scan are unchanged.
ALTER TABLE instance_patch_states SET (toast_tuple_target = 128);
