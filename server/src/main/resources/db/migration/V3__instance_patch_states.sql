-- The latest patch scan of each instance, judged by the baseline that applied to it at the time.

CREATE TABLE instance_patch_states (
    instance_id                    text PRIMARY KEY REFERENCES managed_instances,
    operating_system               text        NOT NULL,
    patch_group                    text        NOT NULL DEFAULT '',
    baseline_id                    text        NOT NULL,
    snapshot_id                    text        NOT NULL,
    operation                      text        NOT NULL,
    operation_start_time           timestamptz NOT NULL,
    operation_end_time             timestamptz NOT NULL,
    installed_other_count          integer     NOT NULL,
    missing_count                  integer     NOT NULL,
    critical_non_compliant_count   integer     NOT NULL,
    security_non_compliant_count   integer     NOT NULL,
    other_non_compliant_count      integer     NOT NULL,
    available_security_update_count integer    NOT NULL,
    reboot_required                boolean     NOT NULL
);

CREATE TABLE instance_patches (
    instance_id      text NOT NULL REFERENCES managed_instances,
    title            text NOT NULL,
    kb_id            text NOT NULL,
    classification   text NOT NULL,
    severity         text NOT NULL,
    state            text NOT NULL,
    compliance_level text NOT NULL,
    cve_ids          text NOT NULL DEFAULT '',
    PRIMARY KEY (instance_id, kb_id)
);
