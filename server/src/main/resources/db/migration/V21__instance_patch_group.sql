-- Every scan report needs its instance's patch group (the "Patch Group" tag, else "PatchGroup"). Looked up in
-- resource_tags per batch, the planner now and then chose an index led by the tag key and read every
-- instance's tag for each instance (2 to 12 ms a batch, see bench/README.md). Kept on the instance row
-- instead, by a trigger, so every code path and every server node that changes tags keeps it right, and
-- ingest reads it with the instance lock it takes anyway.
ALTER TABLE managed_instances ADD COLUMN patch_group text NOT NULL DEFAULT '';

-- Only for the rare cases that need to look (a "PatchGroup" tag, or a removed "Patch Group"). By the
-- instance's id alone, so that only the primary key fits: a condition on the tag key lets the planner pick an
-- index led by it on young tables, which reads every instance's tag (milliseconds a call).
CREATE FUNCTION instance_patch_group(id text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT COALESCE(max(tag_value) FILTER (WHERE tag_key = 'Patch Group'),
                    max(tag_value) FILTER (WHERE tag_key = 'PatchGroup'), '')
      FROM resource_tags WHERE resource_type = 'ManagedInstance' AND resource_id = id
$$;

CREATE FUNCTION sync_instance_patch_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A "Patch Group" tag set: it wins, no look-up (the common case, e.g. every registration).
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.resource_type = 'ManagedInstance' AND NEW.tag_key = 'Patch Group' THEN
        UPDATE managed_instances SET patch_group = NEW.tag_value WHERE instance_id = NEW.resource_id;
    ELSIF TG_OP IN ('INSERT', 'UPDATE') AND NEW.resource_type = 'ManagedInstance' AND NEW.tag_key = 'PatchGroup' THEN
        UPDATE managed_instances SET patch_group = instance_patch_group(NEW.resource_id)
         WHERE instance_id = NEW.resource_id;
    END IF;
    -- A patch-group tag gone (deleted, or renamed by an UPDATE of its key or resource): look again.
    IF (TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.tag_key, OLD.resource_id, OLD.resource_type)
                                                  IS DISTINCT FROM (NEW.tag_key, NEW.resource_id, NEW.resource_type)))
            AND OLD.resource_type = 'ManagedInstance' AND OLD.tag_key IN ('Patch Group', 'PatchGroup') THEN
        UPDATE managed_instances SET patch_group = instance_patch_group(OLD.resource_id)
         WHERE instance_id = OLD.resource_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER resource_tags_patch_group AFTER INSERT OR UPDATE OR DELETE ON resource_tags
    FOR EACH ROW EXECUTE FUNCTION sync_instance_patch_group();

-- Existing instances, in one set-based statement.
UPDATE managed_instances m SET patch_group = t.tag_value
  FROM (SELECT DISTINCT ON (resource_id) resource_id, tag_value FROM resource_tags
         WHERE resource_type = 'ManagedInstance' AND tag_key IN ('Patch Group', 'PatchGroup')
         ORDER BY resource_id, tag_key = 'Patch Group' DESC) t
 WHERE m.instance_id = t.resource_id;
