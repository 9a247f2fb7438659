-- Step Functions: state machines (with their revisions and published versions), activities, executions with
-- their history, and the durable host's outbox (tasks to run, timers) and task tokens.

-- Every definition a machine ever had; executions point at the one they started with.
CREATE TABLE sfn_revisions (
    revision_id      text        PRIMARY KEY,
    machine_arn      text        NOT NULL,
    definition       text        NOT NULL,
    role_arn         text        NOT NULL,
    created_at       timestamptz NOT NULL
);
CREATE INDEX sfn_revisions_machine ON sfn_revisions (machine_arn);

CREATE TABLE sfn_machines (
    arn              text        PRIMARY KEY,
    name             text        NOT NULL UNIQUE,
    type             text        NOT NULL CHECK (type IN ('STANDARD', 'EXPRESS')),
    revision_id      text        NOT NULL REFERENCES sfn_revisions,
    -- ACTIVE, or DELETING while executions still run (the row goes when the last one ends).
    status           text        NOT NULL CHECK (status IN ('ACTIVE', 'DELETING')),
    logging          jsonb,
    tracing          jsonb,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz,
    next_version     integer     NOT NULL DEFAULT 1
);

CREATE TABLE sfn_versions (
    machine_arn      text        NOT NULL REFERENCES sfn_machines ON DELETE CASCADE,
    version          integer     NOT NULL,
    revision_id      text        NOT NULL REFERENCES sfn_revisions,
    description      text        NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (machine_arn, version)
);

CREATE TABLE sfn_activities (
    arn              text        PRIMARY KEY,
    name             text        NOT NULL UNIQUE,
    created_at       timestamptz NOT NULL
);

CREATE TABLE sfn_tags (
    resource_arn     text        NOT NULL,
    key              text        NOT NULL,
    value            text        NOT NULL,
    PRIMARY KEY (resource_arn, key)
);

CREATE TABLE sfn_executions (
    arn              text        PRIMARY KEY,
    machine_arn      text        NOT NULL,
    name             text        NOT NULL,
    revision_id      text        NOT NULL REFERENCES sfn_revisions,
    version_arn      text,
    role_arn         text        NOT NULL,
    status           text        NOT NULL
                     CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED')),
    input            text        NOT NULL,
    output           text,
    error            text,
    cause            text,
    -- The interpreter's state after its last stored step; null once the execution ended.
    -- json, not jsonb: jsonb reorders object keys, and the state inputs inside must keep the order AWS keeps.
    snapshot         json,
    started_at       timestamptz NOT NULL,
    stopped_at       timestamptz,
    -- Executions are listed newest first; seq breaks ties of one millisecond.
    seq              bigserial   NOT NULL,
    UNIQUE (machine_arn, name)
);
CREATE INDEX sfn_executions_listing ON sfn_executions (machine_arn, seq DESC);

CREATE TABLE sfn_history (
    execution_arn    text        NOT NULL REFERENCES sfn_executions ON DELETE CASCADE,
    id               bigint      NOT NULL,
    previous_id      bigint      NOT NULL,
    at               timestamptz NOT NULL,
    type             text        NOT NULL,
    details_key      text,
    details          json,
    PRIMARY KEY (execution_arn, id)
);

-- The outbox of a running execution: a TASK is a resource call to make (due at once), a TIMER a signal to send
-- at due_at. A worker claims a row with FOR UPDATE SKIP LOCKED and deletes it in the transaction that feeds the
-- answer back, so each is carried out once across nodes (see workflows/EffectWorker).
CREATE TABLE sfn_effects (
    execution_arn    text        NOT NULL REFERENCES sfn_executions ON DELETE CASCADE,
    kind             text        NOT NULL CHECK (kind IN ('TASK', 'TIMER')),
    effect_id        text        NOT NULL,
    due_at           timestamptz NOT NULL,
    body             json NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (execution_arn, kind, effect_id)
);
CREATE INDEX sfn_effects_due ON sfn_effects (due_at);

-- Tasks that end with SendTask* (.waitForTaskToken and activities). An activity task waits here (activity_arn
-- set, started_at null) until a GetActivityTask takes it. closed_at is set when the task ended, so a late
-- SendTask* is answered TaskTimedOut rather than InvalidToken.
CREATE TABLE sfn_task_tokens (
    token            text        PRIMARY KEY,
    execution_arn    text        NOT NULL REFERENCES sfn_executions ON DELETE CASCADE,
    task_id          text        NOT NULL,
    activity_arn     text,
    input            text,
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    worker_name      text,
    closed_at        timestamptz
);
CREATE INDEX sfn_task_tokens_activity ON sfn_task_tokens (activity_arn, created_at)
    WHERE activity_arn IS NOT NULL AND started_at IS NULL AND closed_at IS NULL;
CREATE INDEX sfn_task_tokens_task ON sfn_task_tokens (execution_arn, task_id);
