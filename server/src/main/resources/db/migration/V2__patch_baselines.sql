-- Patch baselines, the default baseline per operating system, and patch-group registrations.

CREATE TABLE patch_baselines (
    baseline_id      text PRIMARY KEY,
    name             text        NOT NULL,
    operating_system text        NOT NULL,
    -- The baseline as the API shows it (filters, rules, approved/rejected lists), in AWS member names.
    definition       jsonb       NOT NULL,
    predefined       boolean     NOT NULL DEFAULT false,
    client_token     text UNIQUE,
    created_date     timestamptz NOT NULL,
    modified_date    timestamptz NOT NULL
);

CREATE TABLE default_patch_baselines (
    operating_system text PRIMARY KEY,
    baseline_id      text NOT NULL REFERENCES patch_baselines
);

CREATE TABLE patch_group_baselines (
    patch_group      text NOT NULL,
    operating_system text NOT NULL,
    baseline_id      text NOT NULL REFERENCES patch_baselines,
    PRIMARY KEY (patch_group, operating_system)
);
