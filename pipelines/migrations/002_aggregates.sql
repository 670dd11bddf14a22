-- Pre-computed aggregates the dashboards read, so pages stay fast with tens of millions of answers.
-- pipelines/aggregates.py refresh() rebuilds them inside the ingest transaction after every load or
-- delete. They hold raw counts: the minimum group size is applied on the read side (analytics/).
--
-- Common columns:
--   population  'all'         every respondent of wave_id;
--               'cohort'      respondents of wave_id who also answered the previous wave;
--               'cohort_prev' those same people's answers in the previous wave, filed under wave_id.
--   team, role, location  the respondent's values in wave_id; NULL or blank becomes '(not given)'.
--   n_answered  respondents with at least one answers row in the cell.
--   n_l0..n_l4  respondents whose level (or best level across the cell's skills) is 0..4.

-- One row: identifies the last refresh. refresh_id is new every time, so it is the dashboards'
-- cache key; the ingestion fingerprint lets the read side notice aggregates left behind.
CREATE TABLE agg_meta (
    refresh_id       VARCHAR NOT NULL,
    refreshed_at     TIMESTAMP NOT NULL,
    ingestion_count  BIGINT NOT NULL,
    max_ingestion_id BIGINT
);

-- Waves in survey order (survey_date, then wave_id); prev_wave_id is the wave before, if any.
CREATE TABLE agg_wave_order (
    wave_id      INTEGER PRIMARY KEY,
    seq          INTEGER NOT NULL,
    prev_wave_id INTEGER
);

CREATE TABLE agg_respondents (
    population    VARCHAR NOT NULL,
    wave_id       INTEGER NOT NULL,
    team          VARCHAR NOT NULL,
    role          VARCHAR NOT NULL,
    location      VARCHAR NOT NULL,
    n_respondents BIGINT NOT NULL
);

-- Per skill: level distribution of those who answered it.
CREATE TABLE agg_skill_levels (
    population VARCHAR NOT NULL,
    wave_id    INTEGER NOT NULL,
    team       VARCHAR NOT NULL,
    role       VARCHAR NOT NULL,
    location   VARCHAR NOT NULL,
    skill_id   VARCHAR NOT NULL,
    n_answered BIGINT NOT NULL,
    n_l0 BIGINT NOT NULL, n_l1 BIGINT NOT NULL, n_l2 BIGINT NOT NULL, n_l3 BIGINT NOT NULL, n_l4 BIGINT NOT NULL
);

-- Per area: distribution of each respondent's best level across the area's skills.
CREATE TABLE agg_area_levels (
    population VARCHAR NOT NULL,
    wave_id    INTEGER NOT NULL,
    team       VARCHAR NOT NULL,
    role       VARCHAR NOT NULL,
    location   VARCHAR NOT NULL,
    area_id    VARCHAR NOT NULL,
    n_answered BIGINT NOT NULL,
    n_l0 BIGINT NOT NULL, n_l1 BIGINT NOT NULL, n_l2 BIGINT NOT NULL, n_l3 BIGINT NOT NULL, n_l4 BIGINT NOT NULL
);

-- Per service category and provider (service_categories): best level across that cell's skills.
CREATE TABLE agg_category_levels (
    wave_id     INTEGER NOT NULL,
    team        VARCHAR NOT NULL,
    role        VARCHAR NOT NULL,
    location    VARCHAR NOT NULL,
    category_id VARCHAR NOT NULL,
    provider    VARCHAR NOT NULL,
    n_answered  BIGINT NOT NULL,
    n_l0 BIGINT NOT NULL, n_l1 BIGINT NOT NULL, n_l2 BIGINT NOT NULL, n_l3 BIGINT NOT NULL, n_l4 BIGINT NOT NULL
);

-- Per skill: people who want to learn it, by their current level (n_unanswered: no answer for it).
CREATE TABLE agg_interest_levels (
    wave_id      INTEGER NOT NULL,
    team         VARCHAR NOT NULL,
    role         VARCHAR NOT NULL,
    location     VARCHAR NOT NULL,
    skill_id     VARCHAR NOT NULL,
    n_interested BIGINT NOT NULL,
    n_unanswered BIGINT NOT NULL,
    n_l0 BIGINT NOT NULL, n_l1 BIGINT NOT NULL, n_l2 BIGINT NOT NULL, n_l3 BIGINT NOT NULL, n_l4 BIGINT NOT NULL
);

-- Respondents with a cloud_preferences row of that kind and provider.
CREATE TABLE agg_cloud (
    wave_id       INTEGER NOT NULL,
    team          VARCHAR NOT NULL,
    role          VARCHAR NOT NULL,
    location      VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    provider      VARCHAR NOT NULL,
    n_respondents BIGINT NOT NULL
);

-- Denominators: respondents with at least one cloud_preferences row of that kind.
CREATE TABLE agg_cloud_base (
    wave_id       INTEGER NOT NULL,
    team          VARCHAR NOT NULL,
    role          VARCHAR NOT NULL,
    location      VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    n_respondents BIGINT NOT NULL
);
