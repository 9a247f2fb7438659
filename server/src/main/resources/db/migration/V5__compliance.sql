-- Systems Manager compliance for types other than Patch (Custom:<name>, Association), put with
-- PutComplianceItems. Patch items are read from the patching tables, never stored here.

CREATE TABLE compliance_items (
    resource_id     text NOT NULL REFERENCES managed_instances,
    compliance_type text NOT NULL,
    -- The item's Id, or for an item sent without one a key the API never shows (U+0001 and its position).
    item_key        text NOT NULL,
    item_id         text,
    title           text,
    severity        text NOT NULL,
    status          text NOT NULL,
    details         jsonb NOT NULL DEFAULT '{}',
    execution_time  timestamptz NOT NULL,
    execution_id    text,
    execution_type  text,
    PRIMARY KEY (resource_id, compliance_type, item_key)
);

-- One row per resource and compliance type, so the summary listings never aggregate items. Rows of
-- stored types are rewritten in the transaction that changes their items; Patch rows are copies of the
-- patching feature's per-instance summaries, refreshed before each listing for the instances whose scan
-- (execution_id) changed.
CREATE TABLE compliance_summaries (
    resource_id               text NOT NULL REFERENCES managed_instances,
    compliance_type           text NOT NULL,
    status                    text NOT NULL,
    overall_severity          text NOT NULL,
    execution_time            timestamptz NOT NULL,
    execution_id              text,
    execution_type            text,
    item_content_hash         text,
    compliant_critical        integer NOT NULL,
    compliant_high            integer NOT NULL,
    compliant_medium          integer NOT NULL,
    compliant_low             integer NOT NULL,
    compliant_informational   integer NOT NULL,
    compliant_unspecified     integer NOT NULL,
    non_compliant_critical      integer NOT NULL,
    non_compliant_high          integer NOT NULL,
    non_compliant_medium        integer NOT NULL,
    non_compliant_low           integer NOT NULL,
    non_compliant_informational integer NOT NULL,
    non_compliant_unspecified   integer NOT NULL,
    PRIMARY KEY (resource_id, compliance_type)
);
-- ListComplianceSummaries counts resources per type, status and severity: an index-only scan.
CREATE INDEX compliance_summaries_by_type ON compliance_summaries (compliance_type, status, overall_severity);
-- ListResourceComplianceSummaries pages by resource id, most often filtered on status.
CREATE INDEX compliance_summaries_by_status ON compliance_summaries (status, resource_id, compliance_type);
