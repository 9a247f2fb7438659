-- Every patch state (installed, installed-other, pending reboot, rejected, missing, failed, not applicable),
-- installed inventories stored once per distinct content, re-evaluation on baseline and tag changes, and
-- compliance history.

-- One row per distinct inventory, shared by every instance that has exactly these packages: the canonical
-- text (see core's Inventory), gzip-compressed. 100,000 hosts built from a handful of images need a handful
-- of rows, not 150 million.
CREATE TABLE installed_inventories (
    inventory_hash  text        PRIMARY KEY,
    package_count   integer     NOT NULL,
    packages_gzip   bytea       NOT NULL,
    created_at      timestamptz NOT NULL
);

ALTER TABLE instance_patch_states
    ADD COLUMN compliance_status                 text        NOT NULL DEFAULT 'NON_COMPLIANT',
    ADD COLUMN installed_count                   integer     NOT NULL DEFAULT 0,
    ADD COLUMN installed_pending_reboot_count    integer     NOT NULL DEFAULT 0,
    ADD COLUMN installed_rejected_count          integer     NOT NULL DEFAULT 0,
    ADD COLUMN failed_count                      integer     NOT NULL DEFAULT 0,
    ADD COLUMN not_applicable_count              integer     NOT NULL DEFAULT 0,
    ADD COLUMN unreported_not_applicable_count   integer     NOT NULL DEFAULT 0,
    ADD COLUMN inventory_hash                    text        REFERENCES installed_inventories,
    -- Without an inventory (older agents) the reported number of installed packages stands in for it.
    ADD COLUMN reported_installed_count          integer     NOT NULL DEFAULT 0,
    -- What the last scan found besides the inventory: product, available updates, reboot-pending and failed
    -- packages. Kept so that the instance can be judged again when its baseline or patch group changes.
    ADD COLUMN last_scan                         jsonb,
    ADD COLUMN evaluated_at                      timestamptz,
    ADD COLUMN needs_evaluation                  boolean     NOT NULL DEFAULT false;

UPDATE instance_patch_states
   SET compliance_status = CASE WHEN missing_count = 0 THEN 'COMPLIANT' ELSE 'NON_COMPLIANT' END,
       reported_installed_count = installed_other_count;

CREATE INDEX instance_patch_states_needs_evaluation ON instance_patch_states (instance_id) WHERE needs_evaluation;
CREATE INDEX instance_patch_states_baseline ON instance_patch_states (baseline_id);
CREATE INDEX instance_patch_states_group ON instance_patch_states (patch_group, operating_system);
CREATE INDEX instance_patch_states_inventory ON instance_patch_states (inventory_hash);

-- instance_patches now holds only the verdicts that are neither INSTALLED nor INSTALLED_OTHER (missing,
-- failed, pending reboot, rejected, not applicable): the few rows that explain non-compliance. The full
-- per-package list is computed on read from the inventory, the last scan and the baseline.
ALTER TABLE instance_patches
    ADD COLUMN security       boolean     NOT NULL DEFAULT false,
    ADD COLUMN installed_time timestamptz;

-- One row each time an instance's patch compliance outcome (status, counts, baseline or group) changes.
CREATE TABLE instance_compliance_history (
    id                            bigserial   PRIMARY KEY,
    instance_id                   text        NOT NULL REFERENCES managed_instances,
    recorded_at                   timestamptz NOT NULL,
    compliance_status             text        NOT NULL,
    baseline_id                   text        NOT NULL,
    patch_group                   text        NOT NULL,
    installed_count               integer     NOT NULL,
    installed_other_count         integer     NOT NULL,
    installed_pending_reboot_count integer    NOT NULL,
    installed_rejected_count      integer     NOT NULL,
    missing_count                 integer     NOT NULL,
    failed_count                  integer     NOT NULL,
    not_applicable_count          integer     NOT NULL,
    critical_non_compliant_count  integer     NOT NULL,
    security_non_compliant_count  integer     NOT NULL,
    other_non_compliant_count     integer     NOT NULL
);

CREATE INDEX instance_compliance_history_instance ON instance_compliance_history (instance_id, recorded_at);
CREATE INDEX instance_compliance_history_time ON instance_compliance_history (recorded_at);
