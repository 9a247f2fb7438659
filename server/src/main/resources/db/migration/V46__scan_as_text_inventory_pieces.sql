-- The stored scan (last_scan) was jsonb, but nothing ever queries inside it: every reader (re-evaluation, the
-- install plan, DescribeInstancePatches, a report whose update list came by hash) reads it whole as text and
-- parses it in the JVM. As jsonb, PostgreSQL parsed the ~9 KB of JSON of every changed report to store it, and
-- printed it back as text for every read. As text it is stored as sent (still compressed and out of line, V40).
-- Rewrites the table once.
ALTER TABLE instance_patch_states ALTER COLUMN last_scan TYPE text USING last_scan::text;

-- Inventories stored from now on are a row of gzip members of a few KB of whole lines each, and this index of
-- them (a line per member: the package name its lines start with, a tab, the offset its bytes end at). A changed
-- report whose updates name a package its kept lines do not cover reads the member that holds it, a slice of
-- the EXTERNAL (V20) column, instead of the whole inventory. NULL for inventories stored before: read whole.
ALTER TABLE installed_inventories ADD COLUMN piece_index text;
