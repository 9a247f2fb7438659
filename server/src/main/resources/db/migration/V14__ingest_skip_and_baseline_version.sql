-- Scan ingest skips reports whose inputs match the stored judgement: the hash of those inputs.
ALTER TABLE instance_patch_states ADD COLUMN outcome_hash text;

-- One counter bumped by every change to baselines, defaults and patch-group registrations, so each
-- server node can cache resolved baselines and check them with one indexed row read.
CREATE TABLE baseline_config_version (
    id      int PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO baseline_config_version VALUES (1, 1);

CREATE FUNCTION bump_baseline_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE baseline_config_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;

CREATE TRIGGER patch_baselines_version AFTER INSERT OR UPDATE OR DELETE ON patch_baselines
    FOR EACH STATEMENT EXECUTE FUNCTION bump_baseline_config_version();
CREATE TRIGGER default_patch_baselines_version AFTER INSERT OR UPDATE OR DELETE ON default_patch_baselines
    FOR EACH STATEMENT EXECUTE FUNCTION bump_baseline_config_version();
CREATE TRIGGER patch_group_baselines_version AFTER INSERT OR UPDATE OR DELETE ON patch_group_baselines
    FOR EACH STATEMENT EXECUTE FUNCTION bump_baseline_config_version();
