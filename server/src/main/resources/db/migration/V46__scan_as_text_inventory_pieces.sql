-- The stored scan (last_scan) was jsonb, but nothing ever queries inside it: every reader (re-evaluation, the
-- install plan, DescribeInstancePatches, a report whose update list came by hash) reads it whole as text and
-- parses it in the JVM. As jsonb, PostgreSQL parsed the ~9 KB of JSON of every changed report to store it, and
-- printed it back as text for every read. As text it is stored as sent (still compressed and out of line, V40).
-- Rewrites the table once.
ALTER TABLE instance_patch_states ALTER COLUMN last_scan TYPE text USING last_scan::text;

