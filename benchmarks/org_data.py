"""Organisation-scale survey data, generated directly in a DuckDB file with SQL, for the benchmarks.

    python -m benchmarks.org_data [--db PATH] [--waves 12] [--respondents 100000] [--skills 60]

The default is the issue's organisation: 12 waves x 100,000 respondents x 60 skills = 72 M answers.
Everything is a pure function of the spec: every value comes from DuckDB's hash() of (wave, person,
skill, ...), so the same spec gives the same rows (the physical row order may differ between runs).

What it looks like (chosen to be realistic, since aggregate sizes depend on it):
  - people: each wave 10% of the previous wave's people leave and as many join (the cohort of two
    consecutive waves is 90%); respondent ids are 32 hex characters like the ingest's HMAC ids;
  - 150 teams of skewed size (about 400 to 3,700 people), each with a home location where 75% of
    its people sit; 12 locations, 10 roles with a realistic mix; ~1% leave role/location blank;
    people move team now and then (about 6% per wave);
  - the 60 skills are taken round-robin across the taxonomy's areas (every area is asked);
    levels 0-4 mix a stable per-person aptitude, a per-wave draw, a skill's difficulty, a team's
    strength in the skill's area and a slow org-wide improvement over the waves;
  - cloud: 95% name a preferred provider (teams lean AWS or GCP/Azure), 90% answer the 'uses'
    question (several providers; 'None' when they use none); ~4% of skills are wanted to learn.

Rows go into the model's tables through pipelines.db.writer (lock + migrations) and
pipelines.taxonomy.sync, then pipelines.aggregates.refresh(con, own_transaction=True) builds the
dashboards' aggregates; its time is measured and printed, with a one-wave refresh (what a load pays).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines import aggregates, taxonomy
from pipelines.db import writer

TEAM_GROUPS = ["Payments", "Search", "Ads", "Platform", "Data", "ML", "Mobile", "Identity", "Infra", "Security",
               "Growth", "Maps", "Messaging", "Commerce", "Media"]
LOCATIONS = ["Tokyo", "Osaka", "Fukuoka", "Sapporo", "Singapore", "Bangalore", "Dublin", "London", "Berlin",
             "New York", "San Francisco", "Remote"]
# (role, cumulative share): a realistic engineering mix.
ROLES = [("Backend Engineer", 0.25), ("Frontend Engineer", 0.38), ("Mobile Engineer", 0.46), ("SRE", 0.55),
         ("Data Engineer", 0.64), ("ML Engineer", 0.70), ("QA Engineer", 0.77), ("Security Engineer", 0.81),
         ("Engineering Manager", 0.90), ("Architect", 0.95), ("Tech Lead", 1.0)]


@dataclass(frozen=True)
class OrgSpec:
    waves: int = 12
    respondents: int = 100_000  # per wave
    skills: int = 60
    teams: int = 150
    turnover: float = 0.10  # share of people replaced between consecutive waves

    @property
    def answers(self) -> int:
        return self.waves * self.respondents * self.skills

    def default_path(self) -> Path:
        return Path(tempfile.gettempdir()) / "skills-bench" / (
            f"org_{self.waves}w_{self.respondents}r_{self.skills}s.duckdb")


def _sql_list(values: list[str]) -> str:
    # Code constants only (no user input), so a literal list is fine here.
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _macros(con) -> None:
    # unif(h): a hash folded to a uniform number in [0, 1).
    con.execute("CREATE OR REPLACE TEMP MACRO unif(h) AS (h % 1000003) / 1000003.0")


def _waves(con, spec: OrgSpec) -> None:
    """Waves twice a year from 2020-H1 on, one ingestion each."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _org_waves AS
        SELECT n AS wave_no, n + 1 AS wave_id, n + 1 AS ingestion_id,
               (2020 + n // 2)::VARCHAR || CASE WHEN n % 2 = 0 THEN '-H1' ELSE '-H2' END AS label,
               make_date(2020 + n // 2, CASE WHEN n % 2 = 0 THEN 5 ELSE 11 END, 10) AS survey_date
        FROM range(?) r(n)
    """, [spec.waves])
    con.execute("INSERT INTO waves SELECT wave_id, label, survey_date FROM _org_waves")
    con.execute("""
        INSERT INTO ingestions
        SELECT ingestion_id, wave_id, 'org-' || label || '.csv', sha256(label), survey_date + INTERVAL 20 DAY,
               ?, ?, 0, 'loaded', 'generated', 'benchmark'
        FROM _org_waves
    """, [spec.respondents, spec.respondents])
    # Keep the sequences ahead of the generated ids, so a real load afterwards gets fresh ones.
    for seq in ("wave_id_seq", "ingestion_id_seq"):
        con.execute(f"SELECT nextval('{seq}') FROM range(?)", [spec.waves]).fetchall()


def _skills(con, spec: OrgSpec) -> None:
    """The questionnaire: skills taken round-robin across areas, so every area is asked."""
    n = con.execute("SELECT count(*) FROM skills").fetchall()[0][0]
    if spec.skills > n:
        raise SystemExit(f"at most {n} skills in the taxonomy, asked for {spec.skills}")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _org_skills AS
        SELECT skill_id, area_id FROM (
            SELECT s.skill_id, s.area_id,
                   row_number() OVER (PARTITION BY s.area_id ORDER BY s.sort_order) AS r, a.sort_order AS area_order
            FROM skills s JOIN skill_areas a USING (area_id))
        ORDER BY r, area_order LIMIT ?
    """, [spec.skills])


def _people(con, spec: OrgSpec) -> None:
    """One row per wave and respondent slot: who it is and their team, role and location."""
    churn = int(spec.respondents * spec.turnover)
    role_case = " ".join(f"WHEN role_u < {cum} THEN '{name}'" for name, cum in ROLES)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _org_people AS
        WITH slots AS (
            SELECT w.wave_no, w.wave_id, w.ingestion_id, w.survey_date, i + w.wave_no * {churn} AS person
            FROM _org_waves w, range({spec.respondents}) r(i)
        ),
        teamed AS (
            SELECT *,
                   -- team changes once every 16 waves at a person-specific phase: ~6% move per wave
                   floor({spec.teams} * pow(unif(hash('team', person, (wave_no + hash('phase', person) % 16) // 16)),
                                            1.5))::INTEGER AS team_no
            FROM slots
        )
        SELECT wave_no, wave_id, ingestion_id, person, team_no, md5('org-person-' || person) AS respondent_id,
               {_sql_list(TEAM_GROUPS)}[team_no % {len(TEAM_GROUPS)} + 1] || ' ' || (team_no // {len(TEAM_GROUPS)} + 1)
                   AS team,
               CASE WHEN unif(hash('role_blank', person)) < 0.01 THEN NULL
                    ELSE CASE {role_case} END END AS role,
               CASE WHEN unif(hash('loc_blank', person, wave_no)) < 0.005 THEN NULL
                    WHEN unif(hash('loc', person, team_no)) < 0.75
                        THEN {_sql_list(LOCATIONS)}[floor({len(LOCATIONS)} * pow(unif(hash('home', team_no)), 2))::INTEGER + 1]
                    ELSE {_sql_list(LOCATIONS)}[floor({len(LOCATIONS)} * pow(unif(hash('away', person)), 1.5))::INTEGER + 1]
               END AS location,
               survey_date::TIMESTAMP + to_seconds((hash('at', person, wave_no) % (14 * 86400))::BIGINT) AS submitted_at
        FROM (SELECT *, unif(hash('role', person)) AS role_u FROM teamed)
    """)
    con.execute("""
        INSERT INTO respondents
        SELECT wave_id, respondent_id, ingestion_id, team, role, location, submitted_at FROM _org_people
        ORDER BY wave_id, person
    """)


def _answers(con, wave_id: int) -> None:
    """Every respondent rates every questionnaire skill (one wave per statement, to bound memory)."""
    con.execute("""
        INSERT INTO answers
        SELECT wave_id, respondent_id, skill_id,
               CASE WHEN score < 30 THEN 0 WHEN score < 45 THEN 1 WHEN score < 60 THEN 2 WHEN score < 72 THEN 3
                    ELSE 4 END::TINYINT AS level,
               ingestion_id
        FROM (
            SELECT p.wave_id, p.respondent_id, p.ingestion_id, s.skill_id,
                   0.65 * (hash('aptitude', p.person, s.skill_id) % 100)          -- stable aptitude
                   + 0.35 * (hash('draw', p.wave_no, p.person, s.skill_id) % 100)  -- this wave's draw
                   - hash('difficulty', s.skill_id) % 40
                   + hash('strength', p.team_no, s.area_id) % 25                   -- the team's strength in the area
                   + 1.5 * p.wave_no AS score                          -- the org slowly improves
            FROM _org_people p CROSS JOIN _org_skills s
            WHERE p.wave_id = ?
        ) p
    """, [wave_id])


def _cloud(con) -> None:
    con.execute("""
        INSERT INTO cloud_preferences
        SELECT wave_id, respondent_id,
               CASE WHEN u < cut1 THEN 'AWS' WHEN u < cut1 + 0.55 * (0.91 - cut1) THEN 'GCP' WHEN u < 0.91 THEN 'Azure'
                    WHEN u < 0.95 THEN 'Other' ELSE 'None' END,
               'preferred', ingestion_id
        FROM (SELECT *, unif(hash('pref', person, wave_no)) AS u,
                     0.30 + 0.30 * unif(hash('lean', team_no)) AS cut1  -- teams lean towards AWS, or away from it
              FROM _org_people WHERE unif(hash('pref_answered', person, wave_no)) < 0.95)
    """)
    con.execute("""
        INSERT INTO cloud_preferences
        WITH answered AS (
            SELECT * FROM _org_people WHERE unif(hash('uses_answered', person, wave_no)) < 0.90
        ),
        used AS (
            SELECT a.wave_id, a.respondent_id, p.provider, a.ingestion_id
            FROM answered a
            CROSS JOIN (VALUES ('AWS', 0.65), ('GCP', 0.40), ('Azure', 0.35), ('Other', 0.10)) p(provider, share)
            WHERE unif(hash('uses', a.person, a.wave_no, p.provider)) < p.share
        )
        SELECT wave_id, respondent_id, provider, 'uses', ingestion_id FROM used
        UNION ALL
        SELECT wave_id, respondent_id, 'None', 'uses', ingestion_id FROM answered a
        WHERE NOT EXISTS (SELECT 1 FROM used u WHERE u.wave_id = a.wave_id AND u.respondent_id = a.respondent_id)
    """)


def _interests(con) -> None:
    con.execute("""
        INSERT INTO learning_interests
        SELECT p.wave_id, p.respondent_id, s.skill_id, p.ingestion_id
        FROM _org_people p CROSS JOIN _org_skills s
        WHERE unif(hash('learn', p.person, p.wave_no, s.skill_id)) < 0.04
    """)


def generate(con, spec: OrgSpec, timings: dict[str, float] | None = None) -> dict[str, float]:
    """Fill the base tables of an open, migrated, empty database (one transaction)."""
    timings = {} if timings is None else timings

    def step(name, fn, *args):
        start = time.perf_counter()
        fn(*args)
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start

    con.execute("BEGIN TRANSACTION")
    try:
        step("taxonomy", taxonomy.sync, con, taxonomy.builtin())
        _macros(con)
        step("waves", _waves, con, spec)
        step("skills", _skills, con, spec)
        step("respondents", _people, con, spec)
        for wave_id in range(1, spec.waves + 1):
            step("answers", _answers, con, wave_id)
        step("cloud_preferences", _cloud, con)
        step("learning_interests", _interests, con)
        for name in ("_org_people", "_org_skills", "_org_waves"):
            con.execute(f"DROP TABLE {name}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return timings


def _peak_rss_mib(reset: bool = False) -> float | None:
    """This process's peak resident memory (VmHWM); ``reset`` starts a new peak (Linux only)."""
    try:
        if reset:
            Path("/proc/self/clear_refs").write_text("5")
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def remove(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal"), Path(str(path) + ".lock")):
        p.unlink(missing_ok=True)


def build(spec: OrgSpec, path: Path | None = None, one_wave_refresh: bool = True) -> dict:
    """Generate a fresh database for ``spec`` at ``path`` and build its aggregates; timings and sizes."""
    path = Path(path or spec.default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    remove(path)
    timings: dict[str, float] = {}
    with writer(str(path)) as con:
        start = time.perf_counter()
        generate(con, spec, timings)
        timings["generate_total"] = time.perf_counter() - start
        con.execute("CHECKPOINT")
        _peak_rss_mib(reset=True)
        start = time.perf_counter()
        aggregates.refresh(con, own_transaction=True)
        timings["refresh_full"] = time.perf_counter() - start
        peak = _peak_rss_mib()
        if one_wave_refresh:
            # What one new wave costs on top of the others (the ingest refreshes just that wave).
            start = time.perf_counter()
            aggregates.refresh(con, [spec.waves], own_transaction=True)
            timings["refresh_one_wave"] = time.perf_counter() - start
        con.execute("CHECKPOINT")
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                  for t in ("respondents", "answers", "cloud_preferences", "learning_interests",
                            *aggregates.ROLLUP_KEYS, *(f"{t}_rollup" for t in aggregates.ROLLUP_KEYS))}
    return {"path": str(path), "timings": timings, "counts": counts, "bytes": path.stat().st_size,
            "refresh_peak_mib": peak}


def is_built(spec: OrgSpec, path: Path) -> bool:
    """True when ``path`` holds this spec's data with its aggregates (so benchmarks can reuse it)."""
    import duckdb

    if not path.exists():
        return False
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return False
    try:
        n = con.execute("SELECT count(*) FROM answers").fetchall()[0][0]
        meta = con.execute("SELECT count(*) FROM agg_meta").fetchall()[0][0]
        waves = con.execute("SELECT count(*) FROM waves").fetchall()[0][0]
        return n == spec.answers and meta == 1 and waves == spec.waves
    except duckdb.Error:
        return False
    finally:
        con.close()


def report(spec: OrgSpec, result: dict) -> str:
    t, c = result["timings"], result["counts"]
    mib = result["bytes"] / 2**20
    lines = [
        f"# org data: {spec.waves} waves x {spec.respondents:,} respondents x {spec.skills} skills "
        f"= {c['answers'] / 1e6:.1f} M answers -> {result['path']}",
        f"{'step':<34}{'seconds':>10}{'rows':>14}",
    ]
    for name, table in (("respondents", "respondents"), ("answers", "answers"),
                        ("cloud_preferences", "cloud_preferences"), ("learning_interests", "learning_interests")):
        lines.append(f"{'generate ' + name:<34}{t.get(name, 0):>10.1f}{c[table]:>14,}")
    lines.append(f"{'generate (all, incl. taxonomy)':<34}{t['generate_total']:>10.1f}")
    lines.append(f"{'aggregates.refresh() full':<34}{t['refresh_full']:>10.1f}"
                 f"{sum(v for k, v in c.items() if k.startswith('agg_')):>14,}")
    if result.get("refresh_peak_mib"):
        lines.append(f"{'  peak memory of the full refresh':<34}{result['refresh_peak_mib']:>9,.0f} MiB (process RSS)")
    if "refresh_one_wave" in t:
        lines.append(f"{'aggregates.refresh([last wave])':<34}{t['refresh_one_wave']:>10.1f}")
    for table in sorted(k for k in c if k.startswith("agg_")):
        lines.append(f"  {table:<32}{'':>10}{c[table]:>14,}")
    lines.append(f"database size: {mib:,.0f} MiB = {mib / (c['answers'] / 1e6):.1f} MiB per million answers")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database file to (re)create (default: under the temp dir)")
    parser.add_argument("--waves", type=int, default=12)
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--skills", type=int, default=60)
    args = parser.parse_args(argv)
    spec = OrgSpec(args.waves, args.respondents, args.skills)
    result = build(spec, Path(args.db) if args.db else None)
    print(report(spec, result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
