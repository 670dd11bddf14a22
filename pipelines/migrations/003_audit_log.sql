-- Who did what, when: uploads, deletions, profile changes and SQL console queries.
CREATE SEQUENCE audit_id_seq START 1;
CREATE TABLE audit_log (
    event_id    BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    occurred_at TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP,
    actor       VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,   -- ingestion_loaded | ingestion_deleted | profile_saved | sql_query | sign_in
    target      VARCHAR,            -- ingestion id, profile name, ...
    detail      VARCHAR             -- file name and counts, the SQL text, ...
);
