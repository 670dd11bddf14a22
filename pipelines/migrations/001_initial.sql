-- The analyst-facing model, version 1. Every column is described in README.md (data dictionary).
CREATE SEQUENCE ingestion_id_seq START 1;
CREATE SEQUENCE wave_id_seq START 1;

CREATE TABLE waves (
    wave_id     INTEGER PRIMARY KEY,
    label       VARCHAR NOT NULL UNIQUE,
    survey_date DATE
);

CREATE TABLE skill_areas (
    area_id    VARCHAR PRIMARY KEY,
    track      VARCHAR NOT NULL,
    name_en    VARCHAR NOT NULL,
    name_ja    VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE skills (
    skill_id   VARCHAR PRIMARY KEY,
    area_id    VARCHAR NOT NULL,
    name_en    VARCHAR NOT NULL,
    name_ja    VARCHAR NOT NULL,
    provider   VARCHAR,
    sort_order INTEGER NOT NULL
);

CREATE TABLE service_categories (
    category_id VARCHAR NOT NULL,
    name_en     VARCHAR NOT NULL,
    name_ja     VARCHAR NOT NULL,
    provider    VARCHAR NOT NULL,
    skill_id    VARCHAR NOT NULL,
    sort_order  INTEGER NOT NULL
);

CREATE TABLE ingestions (
    ingestion_id  INTEGER PRIMARY KEY,
    wave_id       INTEGER NOT NULL,
    file_name     VARCHAR NOT NULL,
    file_sha256   VARCHAR NOT NULL,
    loaded_at     TIMESTAMP NOT NULL,
    rows_read     INTEGER NOT NULL,
    rows_loaded   INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    status        VARCHAR NOT NULL,
    profile_name  VARCHAR,
    loaded_by     VARCHAR
);

CREATE TABLE respondents (
    wave_id       INTEGER NOT NULL,
    respondent_id VARCHAR NOT NULL,
    ingestion_id  INTEGER NOT NULL,
    team          VARCHAR,
    role          VARCHAR,
    location      VARCHAR,
    submitted_at  TIMESTAMP,
    PRIMARY KEY (wave_id, respondent_id)
);

CREATE TABLE answers (
    wave_id       INTEGER NOT NULL,
    respondent_id VARCHAR NOT NULL,
    skill_id      VARCHAR NOT NULL,
    level         TINYINT NOT NULL,
    ingestion_id  INTEGER NOT NULL
);

CREATE TABLE cloud_preferences (
    wave_id       INTEGER NOT NULL,
    respondent_id VARCHAR NOT NULL,
    provider      VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    ingestion_id  INTEGER NOT NULL
);

CREATE TABLE learning_interests (
    wave_id       INTEGER NOT NULL,
    respondent_id VARCHAR NOT NULL,
    skill_id      VARCHAR NOT NULL,
    ingestion_id  INTEGER NOT NULL
);

CREATE TABLE rejected_rows (
    ingestion_id INTEGER NOT NULL,
    source_row   INTEGER NOT NULL,
    column_name  VARCHAR,
    value        VARCHAR,
    reason       VARCHAR NOT NULL
);
