-- Revocation feed for the access-key cache: each server node keeps the keys it has seen in memory and
-- drops the ones another node revoked by polling this column (see auth/RevocationFeed).
--
-- The transaction id (not a sequence value) is recorded because transactions commit in any order: a
-- poller that only remembers "the highest value seen" would miss a revocation whose transaction took a
-- lower value but committed later. With transaction ids the poller re-reads everything from the oldest
-- transaction still running at its previous poll (pg_snapshot_xmin), which covers every late commit.
ALTER TABLE access_keys ADD COLUMN revoked_xid xid8;

-- Set by a trigger so any revocation is fed, including one an operator makes by hand in SQL.
CREATE FUNCTION access_keys_record_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS DISTINCT FROM NEW.revoked_at THEN
        NEW.revoked_xid := pg_current_xact_id();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER access_keys_revocation BEFORE UPDATE OF revoked_at ON access_keys
    FOR EACH ROW EXECUTE FUNCTION access_keys_record_revocation();

CREATE INDEX access_keys_revoked_xid ON access_keys (revoked_xid) WHERE revoked_xid IS NOT NULL;
