-- Every scan report needs its instance's patch group (the "Patch Group" tag, else "PatchGroup"). Looked up in
-- resource_tags per batch, the planner now and then chose an index led by the tag key and read every
-- instance's tag for each instance (2 to 12 ms a batch, see bench/README.md). Kept on the instance row
-- instead, by a trigger, so every code path and every server node that changes tags keeps it right, and
-- ingest reads it with the instance lock it takes anyway.
ALTER TABLE managed_instances ADD COLUMN patch_group text NOT NULL DEFAULT '';

CREATE FUNCTION instance_patch_group(id text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT COALESCE(
        (SELECT tag_value FROM resource_tags
          WHERE resource_type = 'ManagedInstance' AND resource_id = id AND tag_key = 'Patch Group'),
        (SELECT tag_value FROM resource_tags
          WHERE resource_type = 'ManagedInstance' AND resource_id = id AND tag_key = 'PatchGroup'),
        '')
$$;

CREATE FUNCTION sync_instance_patch_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.resource_type = 'ManagedInstance'
            AND NEW.tag_key IN ('Patch Group', 'PatchGroup') THEN
        UPDATE managed_instances SET patch_group = instance_patch_group(NEW.resource_id)
         WHERE instance_id = NEW.resource_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.resource_type = 'ManagedInstance'
            AND OLD.tag_key IN ('Patch Group', 'PatchGroup') THEN
        UPDATE managed_instances SET patch_group = instance_patch_group(OLD.resource_id)
         WHERE instance_id = OLD.resource_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER resource_tags_patch_group AFTER INSERT OR UPDATE OR DELETE ON resource_tags
    FOR EACH ROW EXECUTE FUNCTION sync_instance_patch_group();

UPDATE managed_instances SET patch_group = instance_patch_group(instance_id);
