-- Run Command: commands and their invocations (one per target instance), with AWS's statuses.

CREATE TABLE commands (
    command_id             uuid PRIMARY KEY,
    document_name          text        NOT NULL,
    document_version       text        NOT NULL,
    -- The complete parameters the command ran with, and the plan the agents run (see agent's Plugin).
    parameters             jsonb       NOT NULL,
    plan                   jsonb       NOT NULL,
    -- SendCommand's InstanceIds and Targets, echoed as given.
    instance_ids           text[]      NOT NULL,
    targets                jsonb       NOT NULL,
    comment                text        NOT NULL DEFAULT '',
    requested_at           timestamptz NOT NULL,
    -- Undelivered invocations end Delivery Timed Out then (RequestedDateTime + TimeoutSeconds).
    delivery_deadline      timestamptz NOT NULL,
    expires_after          timestamptz NOT NULL,
    timeout_seconds        integer     NOT NULL,
    execution_timeout_s    integer     NOT NULL,
    max_concurrency        text        NOT NULL,
    max_errors             text        NOT NULL,
    -- MaxConcurrency and MaxErrors worked out against the target count.
    concurrency_limit      integer     NOT NULL CHECK (concurrency_limit >= 1),
    error_limit            integer     NOT NULL CHECK (error_limit >= 0),
    state                  text        NOT NULL,
    cancel_requested       boolean     NOT NULL DEFAULT false,
    target_count           integer     NOT NULL,
    completed_count        integer     NOT NULL DEFAULT 0,
    error_count            integer     NOT NULL DEFAULT 0,
    delivery_timed_out_count integer   NOT NULL DEFAULT 0,
    -- Queued invocations wait for rate control; the dispatcher looks at commands that have some.
    queued_count           integer     NOT NULL DEFAULT 0,
    notification_config    jsonb,
    service_role_arn       text        NOT NULL DEFAULT '',
    output_s3_region       text        NOT NULL DEFAULT '',
    output_s3_bucket_name  text        NOT NULL DEFAULT '',
    output_s3_key_prefix   text        NOT NULL DEFAULT '',
    requested_by           text        NOT NULL,
    changed_at             timestamptz NOT NULL
);
CREATE INDEX commands_requested ON commands (requested_at DESC, command_id);
CREATE INDEX commands_queued ON commands (command_id) WHERE queued_count > 0;
CREATE INDEX commands_open ON commands (delivery_deadline)
    WHERE state IN ('PENDING', 'IN_PROGRESS', 'CANCELLING');

CREATE TABLE command_invocations (
    command_id          uuid        NOT NULL REFERENCES commands ON DELETE CASCADE,
    instance_id         text        NOT NULL,
    -- The order rate control releases invocations in.
    seq                 integer     NOT NULL,
    instance_name       text        NOT NULL DEFAULT '',
    state               text        NOT NULL,
    released_at         timestamptz,
    delivered_at        timestamptz,
    -- A delivered invocation whose agent says nothing more is ended then (the backstop).
    silent_deadline     timestamptz,
    cancel_told         boolean     NOT NULL DEFAULT false,
    response_code       integer     NOT NULL DEFAULT -1,
    execution_start     timestamptz,
    execution_end       timestamptz,
    -- Output kept in full, as the agent sent it (the agent caps each stream).
    standard_output     text        NOT NULL DEFAULT '',
    standard_error      text        NOT NULL DEFAULT '',
    plugins             jsonb       NOT NULL DEFAULT '[]',
    changed_at          timestamptz NOT NULL,
    PRIMARY KEY (command_id, instance_id)
);
CREATE INDEX command_invocations_instance ON command_invocations (instance_id, command_id);
-- What agents are waiting for: released invocations and cancellations they were not told of yet.
CREATE INDEX command_invocations_waiting ON command_invocations (instance_id)
    WHERE state = 'RELEASED' OR (state = 'CANCELLING' AND NOT cancel_told);
CREATE INDEX command_invocations_queued ON command_invocations (command_id, seq) WHERE state = 'QUEUED';
CREATE INDEX command_invocations_silent ON command_invocations (silent_deadline)
    WHERE state IN ('DELIVERED', 'CANCELLING');
