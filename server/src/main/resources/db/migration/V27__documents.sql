-- SSM Command documents and their versions. Built-in documents (owner Amazon) are rows too, rewritten at
-- every start so a newer server brings their newer content.

CREATE TABLE documents (
    name            text PRIMARY KEY,
    -- 'Amazon' for built-ins, else the account id of the server.
    owner           text        NOT NULL,
    built_in        boolean     NOT NULL DEFAULT false,
    document_type   text        NOT NULL,
    display_name    text,
    target_type     text,
    default_version integer     NOT NULL,
    latest_version  integer     NOT NULL,
    -- Numbers are never reused, even after the latest version was deleted.
    next_version    integer     NOT NULL,
    created_date    timestamptz NOT NULL
);

CREATE TABLE document_versions (
    name          text        NOT NULL REFERENCES documents ON DELETE CASCADE,
    version       integer     NOT NULL,
    version_name  text,
    -- The content exactly as given, in the format it was given in (JSON or YAML).
    content       text        NOT NULL,
    format        text        NOT NULL,
    -- The same content as compact JSON, keys in their written order (jsonb would reorder them).
    body          text        NOT NULL,
    sha256        text        NOT NULL,
    created_date  timestamptz NOT NULL,
    PRIMARY KEY (name, version),
    UNIQUE (name, version_name)
);
