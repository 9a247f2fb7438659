-- Outgoing deliveries (to webhooks, topics, subscriptions, ...): written in the same transaction as the
-- change that causes them, delivered at least once by a worker, and kept as dead letters when they
-- cannot be delivered.

CREATE TABLE outbox (
    delivery_id       bigserial   PRIMARY KEY,
    destination_kind  text        NOT NULL,
    destination       text        NOT NULL,
    payload           text        NOT NULL,
    attributes        jsonb       NOT NULL DEFAULT '{}',
    source            text        NOT NULL DEFAULT '',
    max_retry_attempts integer    NOT NULL CHECK (max_retry_attempts BETWEEN 0 AND 185),
    max_event_age_s   integer     NOT NULL CHECK (max_event_age_s BETWEEN 60 AND 86400),
    attempts          integer     NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL,
    next_attempt_at   timestamptz NOT NULL,
    -- A worker that claimed the delivery holds it until then; after a crash it becomes due again.
    leased_until      timestamptz,
    last_error        text        NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_attempt_at);

CREATE TABLE dead_letters (
    delivery_id       bigint      PRIMARY KEY,
    destination_kind  text        NOT NULL,
    destination       text        NOT NULL,
    payload           text        NOT NULL,
    attributes        jsonb       NOT NULL DEFAULT '{}',
    source            text        NOT NULL DEFAULT '',
    max_retry_attempts integer    NOT NULL,
    max_event_age_s   integer     NOT NULL,
    attempts          integer     NOT NULL,
    created_at        timestamptz NOT NULL,
    failed_at         timestamptz NOT NULL,
    reason            text        NOT NULL
);
CREATE INDEX dead_letters_by_time ON dead_letters (failed_at, delivery_id);
