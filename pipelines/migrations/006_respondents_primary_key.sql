-- respondents gets its PRIMARY KEY (wave_id, respondent_id) back, so the database itself keeps
-- one row per respondent and wave; the key costs a load under 5% (docs/benchmarks.md).
-- DuckDB can't add a primary key in place, so the table is rebuilt (same columns and order).
CREATE TABLE respondents_006 (
    wave_id       INTEGER NOT NULL,
    respondent_id VARCHAR NOT NULL,
    ingestion_id  INTEGER NOT NULL,
    team          VARCHAR,
    role          VARCHAR,
    location      VARCHAR,
    submitted_at  TIMESTAMP,
    PRIMARY KEY (wave_id, respondent_id)
);
INSERT INTO respondents_006 SELECT * FROM respondents ORDER BY wave_id, ingestion_id;
DROP TABLE respondents;
ALTER TABLE respondents_006 RENAME TO respondents;
