-- A fingerprint of the facts an agent last reported (see Heartbeats.fingerprint): a heartbeat kept in memory
-- because its facts were unchanged on one node is checked against it when written, so facts another node stored
-- meanwhile are corrected instead of silently kept. NULL until the next report (older rows): written at once then.
ALTER TABLE managed_instances ADD COLUMN facts_hash bigint;

-- The patch-group trigger (V21) wrote the instance row even when the value stayed the same: every registration
-- paid a second version of the row it had just inserted. Registration now writes the patch group with the row,
-- and the trigger changes the row only when the value changes.
CREATE OR REPLACE FUNCTION sync_instance_patch_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.resource_type = 'ManagedInstance' AND NEW.tag_key = 'Patch Group' THEN
        UPDATE managed_instances SET patch_group = NEW.tag_value
         WHERE instance_id = NEW.resource_id AND patch_group IS DISTINCT FROM NEW.tag_value;
    ELSIF TG_OP IN ('INSERT', 'UPDATE') AND NEW.resource_type = 'ManagedInstance' AND NEW.tag_key = 'PatchGroup' THEN
        UPDATE managed_instances SET patch_group = instance_patch_group(NEW.resource_id)
         WHERE instance_id = NEW.resource_id AND patch_group IS DISTINCT FROM instance_patch_group(NEW.resource_id);
    END IF;
    IF (TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.tag_key, OLD.resource_id, OLD.resource_type)
                                                  IS DISTINCT FROM (NEW.tag_key, NEW.resource_id, NEW.resource_type)))
            AND OLD.resource_type = 'ManagedInstance' AND OLD.tag_key IN ('Patch Group', 'PatchGroup') THEN
        UPDATE managed_instances SET patch_group = instance_patch_group(OLD.resource_id)
         WHERE instance_id = OLD.resource_id AND patch_group IS DISTINCT FROM instance_patch_group(OLD.resource_id);
    END IF;
    RETURN NULL;
END $$;
