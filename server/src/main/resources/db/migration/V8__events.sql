-- EventBridge: buses, rules, targets, stored events, archives, replays, and the fleet's ping-status memory.

CREATE TABLE event_buses (
    name            text        PRIMARY KEY,
    description     text        NOT NULL DEFAULT '',
    kms_key         text,
    dead_letter_arn text,
    log_config      jsonb,
    tags            jsonb       NOT NULL DEFAULT '[]',
    created_at      timestamptz NOT NULL,
    modified_at     timestamptz NOT NULL,
    -- Bumped in the transaction of every rule or archive change on this bus, so every server node can
    -- tell cheaply whether its compiled matcher is stale.
    rules_version   bigint      NOT NULL DEFAULT 0
);
INSERT INTO event_buses (name, created_at, modified_at) VALUES ('default', now(), now());

CREATE TABLE event_rules (
    bus                 text        NOT NULL REFERENCES event_buses ON DELETE CASCADE,
    name                text        NOT NULL,
    event_pattern       text,
    schedule_expression text,
    state               text        NOT NULL,
    description         text,
    role_arn            text,
    tags                jsonb       NOT NULL DEFAULT '[]',
    created_at          timestamptz NOT NULL,
    -- For schedule rules: the next due time; the scheduler claims due rows with SKIP LOCKED.
    next_fire_at        timestamptz,
    PRIMARY KEY (bus, name)
);
CREATE INDEX event_rules_due ON event_rules (next_fire_at) WHERE next_fire_at IS NOT NULL;

CREATE TABLE event_targets (
    bus       text  NOT NULL,
    rule      text  NOT NULL,
    target_id text  NOT NULL,
    arn       text  NOT NULL,
    -- The target exactly as PutTargets received it (AWS member names).
    spec      jsonb NOT NULL,
    PRIMARY KEY (bus, rule, target_id),
    FOREIGN KEY (bus, rule) REFERENCES event_rules ON DELETE CASCADE
);
CREATE INDEX event_targets_by_arn ON event_targets (arn);

CREATE TABLE events (
    event_id    uuid        PRIMARY KEY,
    bus         text        NOT NULL,
    event_time  timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    envelope    text        NOT NULL
);
CREATE INDEX events_by_bus_time ON events (bus, event_time, event_id);

CREATE TABLE event_archives (
    name           text        PRIMARY KEY,
    bus            text        NOT NULL REFERENCES event_buses ON DELETE CASCADE,
    description    text,
    event_pattern  text,
    retention_days integer     NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL
);

CREATE TABLE archived_events (
    archive    text        NOT NULL REFERENCES event_archives ON DELETE CASCADE,
    event_id   uuid        NOT NULL REFERENCES events ON DELETE CASCADE,
    event_time timestamptz NOT NULL,
    size_bytes integer     NOT NULL,
    PRIMARY KEY (archive, event_time, event_id)
);

CREATE TABLE event_replays (
    name              text        PRIMARY KEY,
    archive           text        NOT NULL,
    description       text,
    state             text        NOT NULL,
    state_reason      text,
    destination       jsonb       NOT NULL,
    event_start_time  timestamptz NOT NULL,
    event_end_time    timestamptz NOT NULL,
    replay_start_time timestamptz NOT NULL,
    replay_end_time   timestamptz,
    -- Progress: the last event replayed (time, id), so a restarted node resumes where the last one stopped.
    last_event_time   timestamptz,
    last_event_id     uuid
);
CREATE INDEX event_replays_active ON event_replays (name) WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING');

-- The ping status last announced for each instance, so a transition is announced once, by one node,
-- even across restarts.
CREATE TABLE instance_ping_states (
    instance_id text        PRIMARY KEY,
    status      text        NOT NULL,
    changed_at  timestamptz NOT NULL
);
