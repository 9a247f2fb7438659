-- EventBridge connections (how to authorize calls to an HTTP endpoint) and API destinations (the
-- endpoints). Secrets never appear in clear: auth_sealed holds the whole AuthParameters encrypted with
-- AES-GCM under the server key (key_id names that key); auth_public is what Describe shows.

CREATE TABLE event_connections (
    name               text        PRIMARY KEY,
    arn                text        NOT NULL UNIQUE,
    description        text,
    authorization_type text        NOT NULL,
    state              text        NOT NULL,
    state_reason       text,
    auth_public        jsonb       NOT NULL,
    auth_sealed        text        NOT NULL,
    key_id             text        NOT NULL,
    created_at         timestamptz NOT NULL,
    modified_at        timestamptz NOT NULL,
    authorized_at      timestamptz
);

CREATE TABLE api_destinations (
    name                 text        PRIMARY KEY,
    arn                  text        NOT NULL UNIQUE,
    description          text,
    connection_arn       text        NOT NULL,
    invocation_endpoint  text        NOT NULL,
    http_method          text        NOT NULL,
    rate_limit_per_second integer    NOT NULL CHECK (rate_limit_per_second >= 1),
    state                text        NOT NULL,
    created_at           timestamptz NOT NULL,
    modified_at          timestamptz NOT NULL
);
CREATE INDEX api_destinations_by_connection ON api_destinations (connection_arn);
