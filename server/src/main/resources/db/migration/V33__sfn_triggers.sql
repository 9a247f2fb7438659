-- Tasks of arn:aws:states:::aws-sdk:ssm:sendCommand.sync (a Patchtide extension) waiting for their command to end.
-- The commands feature's status change that ends the command deletes the row and answers the task, in one
-- transaction, so an end reported while the server was down completes the task once it is back.
CREATE TABLE sfn_command_waits (
    command_id    text PRIMARY KEY,
    execution_arn text NOT NULL,
    task_id       text NOT NULL
);
CREATE INDEX sfn_command_waits_execution ON sfn_command_waits (execution_arn);

-- arn:aws:states:::patchtide:approval.waitForTaskToken: one row per approval asked. Its reminder and escalation
-- are stored instants the approvals loop fires by the server's clock; a decision is taken once (decided_at).
CREATE TABLE sfn_approvals (
    approval_id      uuid PRIMARY KEY,
    task_token       text        NOT NULL,
    execution_arn    text        NOT NULL,
    topic_arn        text        NOT NULL,
    subject          text,
    message          text        NOT NULL,
    approvers        text,
    escalation_topic text,
    link_lifetime_s  bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    links_expire_at  timestamptz NOT NULL,
    remind_at        timestamptz,
    escalate_at      timestamptz,
    decided_at       timestamptz,
    decision         text CHECK (decision IN ('approve', 'reject')),
    decided_by       text
);
CREATE INDEX sfn_approvals_reminders ON sfn_approvals (remind_at) WHERE remind_at IS NOT NULL;
CREATE INDEX sfn_approvals_escalations ON sfn_approvals (escalate_at) WHERE escalate_at IS NOT NULL;
