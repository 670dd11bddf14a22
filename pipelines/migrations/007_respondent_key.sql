-- The fingerprint of the respondent-id key the data was hashed with (never the key itself):
-- pipelines.identity refuses a load with another key unless it is replaced on purpose.
-- One row per key adopted; the latest is the current one.
CREATE TABLE respondent_key (
    fingerprint VARCHAR NOT NULL,
    adopted_at  TIMESTAMP NOT NULL DEFAULT now()::TIMESTAMP
);
