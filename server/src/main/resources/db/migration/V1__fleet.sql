-- Fleet registry: access keys, hybrid activations, managed instances and their tags.

CREATE TABLE access_keys (
    access_key_id     text PRIMARY KEY,
    secret_access_key text        NOT NULL,
    -- NULL for an operator (admin) key; the instance a key belongs to otherwise.
    instance_id       text,
    description       text        NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    revoked_at        timestamptz
);
CREATE INDEX access_keys_instance ON access_keys (instance_id) WHERE instance_id IS NOT NULL;

CREATE TABLE activations (
    activation_id         uuid PRIMARY KEY,
    -- Only a digest of the code is kept: it is shown once, at creation, like a password.
    code_sha256           bytea       NOT NULL,
    description           text        NOT NULL DEFAULT '',
    default_instance_name text        NOT NULL DEFAULT '',
    iam_role              text        NOT NULL,
    registration_limit    integer     NOT NULL CHECK (registration_limit BETWEEN 1 AND 1000),
    registrations_count   integer     NOT NULL DEFAULT 0 CHECK (registrations_count <= registration_limit),
    expiration_date       timestamptz NOT NULL,
    created_date          timestamptz NOT NULL,
    deleted_at            timestamptz
);

CREATE TABLE managed_instances (
    instance_id       text PRIMARY KEY CHECK (instance_id ~ '^mi-[0-9a-f]{17}$'),
    activation_id     uuid        NOT NULL REFERENCES activations,
    iam_role          text        NOT NULL,
    name              text        NOT NULL DEFAULT '',
    registration_date timestamptz NOT NULL,
    -- Facts the agent reports; NULL until its first report.
    computer_name     text,
    ip_address        text,
    ip_addresses      text[]      NOT NULL DEFAULT '{}',
    platform_type     text,
    platform_name     text,
    platform_version  text,
    agent_name        text,
    agent_version     text,
    agent_status      text,
    last_ping_at      timestamptz,
    deregistered_at   timestamptz
);
CREATE INDEX managed_instances_active ON managed_instances (instance_id) WHERE deregistered_at IS NULL;

CREATE TABLE resource_tags (
    resource_type text NOT NULL,
    resource_id   text NOT NULL,
    tag_key       text NOT NULL,
    tag_value     text NOT NULL,
    PRIMARY KEY (resource_type, resource_id, tag_key)
);
CREATE INDEX resource_tags_by_key ON resource_tags (resource_type, tag_key, tag_value);
