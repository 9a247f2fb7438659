-- Most scan reports change nothing but the scan's times (operation_start_time and operation_end_time, which no
-- index covers). With free room on each page PostgreSQL updates such rows in place (a HOT update) instead of
-- writing a new tuple elsewhere and an entry into each of the table's seven indexes. New pages keep 30% free;
-- existing pages gain room as rows are rewritten.
ALTER TABLE instance_patch_states SET (fillfactor = 70);
