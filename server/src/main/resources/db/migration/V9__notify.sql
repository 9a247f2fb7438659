-- SNS-style topics and subscriptions, what the fan-out already did, and the dedupe ledger.

CREATE TABLE sns_topics (
    topic_arn  text PRIMARY KEY,
    name       text        NOT NULL UNIQUE,
    -- Settable attributes (DisplayName) as SNS names them.
    attributes jsonb       NOT NULL DEFAULT '{}',
    tags       jsonb       NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL
);

CREATE TABLE sns_subscriptions (
    subscription_arn   text PRIMARY KEY,
    topic_arn          text        NOT NULL REFERENCES sns_topics ON DELETE CASCADE,
    protocol           text        NOT NULL,
    endpoint           text        NOT NULL,
    confirmed          boolean     NOT NULL,
    -- Proof of ownership of the endpoint: sent in the confirmation, needed to confirm and to unsubscribe by link.
    token              text        NOT NULL UNIQUE,
    attributes         jsonb       NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL,
    confirmed_at       timestamptz,
    UNIQUE (topic_arn, protocol, endpoint)
);
CREATE INDEX sns_subscriptions_by_topic ON sns_subscriptions (topic_arn, subscription_arn);

-- Deliveries of kind sns-topic already fanned out, so a retried delivery does not fan out twice.
CREATE TABLE sns_fanouts (
    delivery_id bigint      PRIMARY KEY,
    message_id  uuid        NOT NULL,
    fanned_at   timestamptz NOT NULL
);
CREATE INDEX sns_fanouts_by_time ON sns_fanouts (fanned_at);

-- Dedupe: per subscription and key, the condition value last notified and when.
CREATE TABLE sns_dedupe_state (
    subscription_arn text        NOT NULL REFERENCES sns_subscriptions ON DELETE CASCADE,
    dedupe_key       text        NOT NULL,
    condition_value  text        NOT NULL,
    notified_at      timestamptz NOT NULL,
    PRIMARY KEY (subscription_arn, dedupe_key)
);
