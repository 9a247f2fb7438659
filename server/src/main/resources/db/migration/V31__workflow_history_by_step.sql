-- An execution's history, stored a step at a time: one row holds the events one step appended (ids first_id to
-- last_id), as the JSON array GetExecutionHistory lists them. A short execution is one step of two dozen events,
-- and a Map's first step hundreds: one row each instead of one row, one index entry and one foreign-key check per
-- event. Executions are never deleted, so no foreign key either; the primary key still keeps each step once.
CREATE TABLE sfn_history_steps (
    execution_arn    text        NOT NULL,
    first_id         bigint      NOT NULL,
    last_id          bigint      NOT NULL,
    -- json, not jsonb: the events' members stay in the order AWS lists them.
    events           text        NOT NULL,
    PRIMARY KEY (execution_arn, first_id)
);

INSERT INTO sfn_history_steps (execution_arn, first_id, last_id, events)
SELECT execution_arn, id, id, json_build_array(CASE WHEN details_key IS NULL OR details IS NULL
        THEN json_build_object('timestamp', trunc(extract(epoch FROM at)::numeric, 3), 'type', type, 'id', id,
                               'previousEventId', previous_id)
        ELSE json_build_object('timestamp', trunc(extract(epoch FROM at)::numeric, 3), 'type', type, 'id', id,
                               'previousEventId', previous_id, details_key, details) END)::text
FROM sfn_history;

DROP TABLE sfn_history;
