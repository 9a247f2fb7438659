-- A claim of a fleet's hand-out no longer tells its InProgress changes inside its transaction (a thousand Pending
-- and a thousand InProgress events each kept the next polls waiting): it marks them on the same row as the
-- invocation's untold Pending, or on a new row once that was told. Whoever deletes a row tells what it holds, the
-- Pending first, each change at the time it was made.
ALTER TABLE command_pending_changes
    ADD COLUMN pending        boolean NOT NULL DEFAULT true,
    ADD COLUMN in_progress_at timestamptz;
