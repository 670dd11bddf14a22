-- Which skills each question of a load asked about, answered or not: two waves are compared over
-- the skills both asked (analytics/trends.py). A database loaded before this migration gets, per
-- ingestion, the skills its answers name (what was asked may have been more; nothing else knows).
CREATE TABLE question_skills (
    ingestion_id INTEGER NOT NULL,
    wave_id      INTEGER NOT NULL,
    question     VARCHAR NOT NULL,
    skill_id     VARCHAR NOT NULL
);
INSERT INTO question_skills
SELECT DISTINCT ingestion_id, wave_id, '(recorded from the answers by migration 008)', skill_id FROM answers;
