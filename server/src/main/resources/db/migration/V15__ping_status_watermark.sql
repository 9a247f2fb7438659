-- Ping-status detection costs what changes: recoveries and first reports are decided where the heartbeat is
-- stored; Online → ConnectionLost looks only at instances whose last report crossed the threshold since the
-- previous look, found through this index.
CREATE INDEX managed_instances_last_ping ON managed_instances (last_ping_at) WHERE deregistered_at IS NULL;

-- Reports before checked_until have been judged for Online → ConnectionLost. One row, locked by the node that
-- is looking (others skip their turn), so every node and every restart continues from the same place.
-- NULL until the first look, which examines every instance once.
CREATE TABLE ping_status_watermark (
    id            int PRIMARY KEY CHECK (id = 1),
    checked_until timestamptz
);
INSERT INTO ping_status_watermark VALUES (1, NULL);
