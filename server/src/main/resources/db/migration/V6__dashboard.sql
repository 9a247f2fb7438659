-- Dashboard: browser sessions, one-time login links, and the indexes behind the fleet compliance queries.

-- Only digests of tokens are kept, so a copy of the database does not let anyone in.
CREATE TABLE dashboard_sessions (
    token_sha256  bytea PRIMARY KEY,
    access_key_id text        NOT NULL REFERENCES access_keys,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);

-- A login link is used once: it is deleted when it is exchanged for a session.
CREATE TABLE dashboard_login_links (
    token_sha256  bytea PRIMARY KEY,
    access_key_id text        NOT NULL REFERENCES access_keys,
    expires_at    timestamptz NOT NULL
);

-- ListInstanceCompliance pages by instance id; with a patch group filter, these give that group's
-- compliant or non-compliant instances already in id order.
CREATE INDEX instance_patch_states_non_compliant ON instance_patch_states (patch_group, instance_id)
    WHERE compliance_status = 'NON_COMPLIANT';
CREATE INDEX instance_patch_states_compliant ON instance_patch_states (patch_group, instance_id)
    WHERE compliance_status = 'COMPLIANT';

-- Tag filters on a rare tag value start from the tag: instance ids of one key and value, in order.
CREATE INDEX resource_tags_by_value ON resource_tags (resource_type, tag_key, tag_value, resource_id);
