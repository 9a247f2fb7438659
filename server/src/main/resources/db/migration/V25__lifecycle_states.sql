-- Lifecycles as explicit states (see lifecycle/Lifecycle.java).

-- Outbox rows say where the delivery is: waiting for its first attempt, held by a worker (until
-- leased_until), or waiting for a retry. Moves are conditional on the state and attempt a worker claimed.
ALTER TABLE outbox ADD COLUMN state text NOT NULL DEFAULT 'PENDING'
    CHECK (state IN ('PENDING', 'IN_FLIGHT', 'RETRYING'));
UPDATE outbox SET state = 'IN_FLIGHT' WHERE leased_until IS NOT NULL;
UPDATE outbox SET state = 'RETRYING' WHERE leased_until IS NULL AND attempts > 0;

-- An AUTHORIZING connection is due for the background authorizer from then on; a node that claims it sets
-- it ahead (its lease, then the retry time), so a node that dies mid-authorization leaves it due again.
ALTER TABLE event_connections ADD COLUMN authorize_after timestamptz;
UPDATE event_connections SET authorize_after = modified_at WHERE state = 'AUTHORIZING';
CREATE INDEX event_connections_authorizing ON event_connections (authorize_after) WHERE state = 'AUTHORIZING';
