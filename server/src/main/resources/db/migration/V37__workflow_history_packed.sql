-- A step's history packed by the server (workflows/PackedHistory): each state's input and output stored once,
-- unescaped, and the whole deflated, so that a short execution's step is a small row kept inline. Steps stored
-- before keep their text in events; a row has one or the other.
ALTER TABLE sfn_history_steps ADD COLUMN packed bytea;
ALTER TABLE sfn_history_steps ALTER COLUMN events DROP NOT NULL;
ALTER TABLE sfn_history_steps ADD CONSTRAINT sfn_history_steps_one_form CHECK ((events IS NULL) <> (packed IS NULL));
-- Already deflated: PostgreSQL need not try to compress it again when a long step (a Map's) goes out of line.
ALTER TABLE sfn_history_steps ALTER COLUMN packed SET STORAGE EXTERNAL;
