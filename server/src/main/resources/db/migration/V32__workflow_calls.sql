-- Step Functions' outward calls and nested executions.

-- A TASK whose call leaves this server (HTTP) is marked dispatched, in a transaction of its own, before the call is
-- made; its due_at then holds the end of the dispatching node's lease. Found again after the lease, it was never
-- answered and is failed rather than sent twice (see workflows/OutwardCalls).
ALTER TABLE sfn_effects ADD COLUMN dispatch_id uuid;

-- A child execution a parent's states:startExecution.sync(:2) task waits for. RUNNING while both run; ENDED when
-- the child ended (in the child's last transaction) and STOP when the parent's task was cancelled (in the parent's);
-- a worker then answers the parent, or stops the child, and deletes the row.
CREATE TABLE sfn_children (
    child_arn        text        PRIMARY KEY,
    parent_arn       text        NOT NULL REFERENCES sfn_executions ON DELETE CASCADE,
    task_id          text        NOT NULL,
    pattern          text        NOT NULL CHECK (pattern IN ('RUN_JOB', 'RUN_JOB_V2')),
    state            text        NOT NULL CHECK (state IN ('RUNNING', 'ENDED', 'STOP')),
    since            timestamptz NOT NULL
);
CREATE INDEX sfn_children_task ON sfn_children (parent_arn, task_id);
CREATE INDEX sfn_children_pending ON sfn_children (since) WHERE state <> 'RUNNING';
