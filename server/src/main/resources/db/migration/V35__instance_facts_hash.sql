-- A fingerprint of the facts an agent last reported (see Heartbeats.fingerprint): a heartbeat kept in memory
-- because its facts were unchanged on one node is checked against it when written, so facts another node stored
-- meanwhile are corrected instead of silently kept. NULL until the next report (older rows): written at once then.
ALTER TABLE managed_instances ADD COLUMN facts_hash bigint;
