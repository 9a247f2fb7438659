-- Tasks of arn:aws:states:::aws-sdk:ssm:sendCommand.sync (a Patchtide extension) waiting for their command to end.
-- The commands feature's status change that ends the command deletes the row and answers the task, in one
-- transaction, so an end reported while the server was down completes the task once it is back.
CREATE TABLE sfn_command_waits (
    command_id    text PRIMARY KEY,
    execution_arn text NOT NULL,
    task_id       text NOT NULL
);
CREATE INDEX sfn_command_waits_execution ON sfn_command_waits (execution_arn);
