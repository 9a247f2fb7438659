-- Maintenance windows (SSM): windows, their targets and tasks, and each run's executions, task executions
-- and per-instance invocations. Definitions of targets and tasks are kept as the API shapes (jsonb).

CREATE TABLE maintenance_windows (
    window_id            text PRIMARY KEY CHECK (window_id ~ '^mw-[0-9a-f]{17}$'),
    name                 text        NOT NULL,
    description          text,
    schedule             text        NOT NULL,
    schedule_timezone    text,
    schedule_offset      integer,
    start_date           text,
    end_date             text,
    duration_hours       integer     NOT NULL CHECK (duration_hours BETWEEN 1 AND 24),
    cutoff_hours         integer     NOT NULL CHECK (cutoff_hours BETWEEN 0 AND 23),
    allow_unassociated   boolean     NOT NULL,
    enabled              boolean     NOT NULL,
    client_token         text UNIQUE,
    created_at           timestamptz NOT NULL,
    modified_at          timestamptz NOT NULL,
    -- When the schedule was last set: cron times before it never run.
    schedule_anchor      timestamptz NOT NULL,
    -- The next run the scheduler fires (claimed FOR UPDATE SKIP LOCKED); NULL when none is left or disabled.
    next_run_at          timestamptz
);
CREATE INDEX maintenance_windows_due ON maintenance_windows (next_run_at) WHERE enabled AND next_run_at IS NOT NULL;

CREATE TABLE maintenance_window_targets (
    window_target_id   uuid PRIMARY KEY,
    window_id          text        NOT NULL REFERENCES maintenance_windows ON DELETE CASCADE,
    resource_type      text        NOT NULL,
    targets            jsonb       NOT NULL,
    owner_information  text,
    name               text,
    description        text,
    client_token       text UNIQUE,
    created_at         timestamptz NOT NULL
);
CREATE INDEX maintenance_window_targets_window ON maintenance_window_targets (window_id, created_at);

CREATE TABLE maintenance_window_tasks (
    window_task_id   uuid PRIMARY KEY,
    window_id        text        NOT NULL REFERENCES maintenance_windows ON DELETE CASCADE,
    priority         integer     NOT NULL CHECK (priority >= 0),
    -- The task as RegisterTaskWithMaintenanceWindow describes it (TaskArn, TaskType, Targets, ...).
    definition       jsonb       NOT NULL,
    client_token     text UNIQUE,
    created_at       timestamptz NOT NULL
);
CREATE INDEX maintenance_window_tasks_window ON maintenance_window_tasks (window_id, priority, created_at);

CREATE TABLE maintenance_window_executions (
    window_execution_id uuid PRIMARY KEY,
    window_id           text        NOT NULL REFERENCES maintenance_windows ON DELETE CASCADE,
    status              text        NOT NULL CHECK (status IN ('PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED',
                            'TIMED_OUT', 'CANCELLING', 'CANCELLED', 'SKIPPED_OVERLAPPING')),
    status_details      text,
    scheduled_for       timestamptz NOT NULL,
    cutoff_at           timestamptz NOT NULL,
    ends_at             timestamptz NOT NULL,
    start_time          timestamptz NOT NULL,
    end_time            timestamptz
);
CREATE INDEX maintenance_window_executions_window ON maintenance_window_executions (window_id, start_time DESC);
CREATE INDEX maintenance_window_executions_open ON maintenance_window_executions (window_execution_id)
    WHERE status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING');
-- One execution per window and due time, whichever node fires it.
CREATE UNIQUE INDEX maintenance_window_executions_once ON maintenance_window_executions (window_id, scheduled_for);

CREATE TABLE maintenance_window_task_executions (
    task_execution_id   uuid PRIMARY KEY,
    window_execution_id uuid        NOT NULL REFERENCES maintenance_window_executions ON DELETE CASCADE,
    window_task_id      uuid        NOT NULL,
    priority            integer     NOT NULL,
    -- The task's definition as it was when the window ran.
    definition          jsonb       NOT NULL,
    status              text        NOT NULL CHECK (status IN ('PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED',
                            'TIMED_OUT', 'CANCELLING', 'CANCELLED')),
    status_details      text,
    command_id          text UNIQUE,
    start_time          timestamptz,
    end_time            timestamptz
);
CREATE INDEX maintenance_window_task_executions_execution
    ON maintenance_window_task_executions (window_execution_id, priority);

CREATE TABLE maintenance_window_task_invocations (
    invocation_id       uuid PRIMARY KEY,
    task_execution_id   uuid        NOT NULL REFERENCES maintenance_window_task_executions ON DELETE CASCADE,
    instance_id         text        NOT NULL,
    window_target_id    text,
    owner_information   text,
    parameters          text,
    status              text        NOT NULL,
    status_details      text,
    start_time          timestamptz NOT NULL,
    end_time            timestamptz,
    UNIQUE (task_execution_id, instance_id)
);
