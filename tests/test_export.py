"""Parquet export, tried as an adversary: partitioned by wave, rows intact, and nothing that joins
a person across waves, re-identifies a generalised row from another wave, singles a row out by
its timestamp, or names a file or a member of staff."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines import db as dbmod
from pipelines import taxonomy
from pipelines.export import SCHEMA_FILE, SUPPRESSED, export_parquet, main

S = SUPPRESSED
K = 5


def read(out: Path, table: str):
    return duckdb.sql(f"SELECT * FROM read_parquet('{out}/{table}/*/*.parquet', hive_partitioning=true)").df()


@pytest.fixture
def small_db(tmp_path):
    """Wave 1: six people in Platform/SRE/Tokyo and r9 alone in Data/DBA/Osaka (submitted a month
    later than everyone). Wave 2: r9 has moved into Platform/SRE/Tokyo with the six."""
    path = str(tmp_path / "x.duckdb")
    with dbmod.writer(path) as con:
        taxonomy.sync(con, taxonomy.builtin())
        con.execute("INSERT INTO waves VALUES (1, '2025-H1', DATE '2025-05-01'), (2, '2025-H2', DATE '2025-11-01')")
        con.execute("INSERT INTO ingestions VALUES "
                    "(1, 1, 'hr-export-alice.csv', 'x', TIMESTAMP '2025-05-30 10:11:12', 7, 7, 0, 'loaded', 'p', "
                    "'hr.staff@example.com'), "
                    "(2, 2, 'late-r9.csv', 'y', TIMESTAMP '2025-11-30 10:11:12', 7, 7, 0, 'loaded', 'p', "
                    "'hr.staff@example.com')")
        rows = [(1, f"r{i}", 1, "Platform", "SRE", "Tokyo", f"2025-05-0{i + 1} 09:00:00") for i in range(6)]
        rows += [(1, "r9", 1, "Data", "DBA", "Osaka", "2025-06-20 17:42:05")]
        rows += [(2, f"r{i}", 2, "Platform", "SRE", "Tokyo", f"2025-11-0{i + 1} 09:00:00") for i in range(6)]
        rows += [(2, "r9", 2, "Platform", "SRE", "Tokyo", "2025-11-09 09:00:00")]
        con.executemany("INSERT INTO respondents VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        con.executemany("INSERT INTO answers VALUES (?, ?, 'docker', 3, ?)", [(w, r, i) for w, r, i, *_ in rows])
    return path


def test_export_partitions_by_wave_and_keeps_every_row(small_db, tmp_path):
    out = tmp_path / "pq"
    counts = export_parquet(out, small_db, k=K)
    assert counts["respondents"] == 14 and counts["answers"] == 14
    assert sorted(p.name for p in (out / "answers").iterdir()) == ["wave_id=1", "wave_id=2"]
    back = duckdb.sql(f"SELECT wave_id, count(*) AS n FROM read_parquet('{out}/answers/*/*.parquet', "
                      "hive_partitioning=true) GROUP BY 1 ORDER BY 1").fetchall()
    assert back == [(1, 7), (2, 7)]
    assert duckdb.sql(f"SELECT count(*) FROM '{out}/skills.parquet'").fetchall()[0][0] == len(taxonomy.builtin().skills)
    # Answers still join their respondent within a wave.
    joined = duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/answers/*/*.parquet', hive_partitioning=true) a "
                        f"JOIN read_parquet('{out}/respondents/*/*.parquet', hive_partitioning=true) r "
                        "USING (wave_id, respondent_id)").fetchall()[0][0]
    assert joined == 14


def test_schema_file_describes_every_table_as_its_files_read_back(small_db, tmp_path):
    """_schema.json (for Spark / BigQuery / DuckDB users) names each table's files, partitioning and
    column types; DuckDB reading the files themselves must find exactly those."""
    out = tmp_path / "pq"
    counts = export_parquet(out, small_db, k=K)
    schema = json.loads((out / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert (schema["k"], schema["linked"], schema["suppressed_value"]) == (K, False, SUPPRESSED)
    assert set(schema["tables"]) == set(counts)
    for name, table in schema["tables"].items():
        files = list(out.glob(table["files"]))
        assert table["rows"] == counts[name]
        if not files:  # DuckDB writes no partition for a table without rows (here: no cloud answers)
            assert table["rows"] == 0 and table["partitioned_by"], name
            continue
        hive = ", hive_partitioning=true, hive_types={'wave_id': INTEGER}" if table["partitioned_by"] else ""
        read = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{out}/{table['files']}'{hive})").fetchall()
        assert sorted((c, t) for c, t, *_ in read) == sorted(table["columns"].items()), name
        if table["partitioned_by"] == ["wave_id"]:  # the partition column is in the folder names only
            first = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{files[0]}', hive_partitioning=false)").fetchall()
            assert "wave_id" not in [c for c, *_ in first] and files[0].parent.name.startswith("wave_id=")
    assert schema["tables"]["answers"]["columns"] == {"wave_id": "INTEGER", "respondent_id": "VARCHAR",
                                                     "skill_id": "VARCHAR", "level": "TINYINT"}


def test_no_pseudonym_joins_two_waves_the_database_or_another_export(small_db, tmp_path):
    export_parquet(tmp_path / "a", small_db, k=K)
    export_parquet(tmp_path / "b", small_db, k=K)
    a, b = read(tmp_path / "a", "respondents"), read(tmp_path / "b", "respondents")
    wave1, wave2 = set(a[a.wave_id == 1].respondent_id), set(a[a.wave_id == 2].respondent_id)
    assert len(wave1) == 7 and len(wave2) == 7 and not wave1 & wave2  # the same 7 people, no shared id
    assert not set(a.respondent_id) & {f"r{i}" for i in (0, 1, 2, 3, 4, 5, 9)}
    assert not set(a.respondent_id) & set(b.respondent_id)
    answers = read(tmp_path / "a", "answers")
    assert not set(answers[answers.wave_id == 1].respondent_id) & set(answers[answers.wave_id == 2].respondent_id)


def test_generalisation_holds_across_waves(small_db, tmp_path):
    """r9 is alone in wave 1, so generalised there; in wave 2 r9 sits in a group of seven. Shown in
    wave 2, r9's row would say which team wave 1's suppressed row is in (linked: directly)."""
    for linked in (False, True):
        out = tmp_path / f"pq{linked}"
        export_parquet(out, small_db, k=K, linked=linked)
        resp = read(out, "respondents")
        per_wave = {w: sorted(map(tuple, g[["team", "role", "location"]].values.tolist()))
                    for w, g in resp.groupby("wave_id")}
        # By hand: six shown and one fully suppressed row in each wave.
        expected = [(S, S, S)] + [("Platform", "SRE", "Tokyo")] * 6
        assert per_wave == {1: expected, 2: expected}, linked
        if linked:
            hidden = resp[resp.team == S]
            assert hidden.respondent_id.nunique() == 1 and len(hidden) == 2  # the same person, hidden in both


def test_timestamps_are_months_and_never_single_out_a_row(small_db, tmp_path):
    out = tmp_path / "pq"
    export_parquet(out, small_db, k=K)
    resp = read(out, "respondents")
    assert "submitted_at" not in resp.columns
    months = resp.dropna(subset=["submitted_month"])
    assert all(d.day == 1 for d in months.submitted_month)
    # r9's June submission was the only one that month: not shown. Every shown month is shared by >= k.
    assert sorted(str(m)[:7] for m in months.submitted_month.unique()) == ["2025-05", "2025-11"]
    shared = months.groupby(["wave_id", "submitted_month"]).size()
    assert shared.min() >= K
    suppressed = resp[resp.team == S]
    for _, row in suppressed.iterrows():
        same = resp[(resp.wave_id == row.wave_id) & (resp.submitted_month == row.submitted_month)]
        assert row.submitted_month is None or str(row.submitted_month) == "NaT" or len(same) >= K


def test_no_file_names_staff_or_load_times_in_any_exported_file(small_db, tmp_path):
    out = tmp_path / "pq"
    export_parquet(out, small_db, k=K)
    ingestions = read(out, "ingestions")
    assert {"file_name", "file_sha256", "loaded_by", "profile_name", "loaded_at"} & set(ingestions.columns) == set()
    for needle in (b"hr-export-alice", b"late-r9", b"hr.staff", b"example.com"):
        hits = [p for p in out.rglob("*.parquet") if needle in p.read_bytes()]
        assert hits == [], (needle, hits)
    texts = []
    for path in out.rglob("*.parquet"):
        rel = duckdb.sql(f"SELECT * FROM '{path}'")
        for name, kind in zip(rel.columns, rel.dtypes, strict=True):
            if str(kind) == "VARCHAR":
                texts += [v for (v,) in duckdb.sql(f'SELECT DISTINCT "{name}" FROM \'{path}\'').fetchall() if v]
    assert texts and not [t for t in texts if "@" in t or ".csv" in t]


def test_export_cli_bad_db_is_one_line(tmp_path, capsys):
    assert main(["--parquet", str(tmp_path / "o"), "--db", str(tmp_path / "missing.duckdb")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


# --- the demo organisation, exported and attacked ---------------------------------------------------

@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from pipelines import demo

    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SKILLS_SECRET_FILE", str(root / "key"))
        results = demo.build_demo(root / "demo.duckdb", out_dir=root / "exports")
    assert all(r.status == "loaded" for r in results)
    return str(root / "demo.duckdb")


@pytest.mark.parametrize("linked", [False, True], ids=["per-wave", "linked"])
def test_demo_export_holds_against_the_attacks(demo_db, tmp_path, linked):
    out = tmp_path / "pq"
    export_parquet(out, demo_db, k=K, linked=linked)
    resp = read(out, "respondents")
    con = duckdb.connect(demo_db, read_only=True)
    stored_ids = {r[0] for r in con.execute("SELECT respondent_id FROM respondents").fetchall()}
    n_stored = con.execute("SELECT count(*) FROM respondents").fetchall()[0][0]
    files = [r[0] for r in con.execute("SELECT file_name FROM ingestions").fetchall()]
    con.close()
    assert len(resp) == n_stored and not set(resp.respondent_id) & stored_ids
    # k holds per wave for every shown value and every shown combination.
    for col in ("team", "role", "location"):
        shown = resp[resp[col] != S].fillna({col: "<null>"}).groupby(["wave_id", col]).size()
        assert shown.empty or shown.min() >= K, col
    combos = resp[resp.team != S].fillna("<null>").groupby(["wave_id", "team", "role", "location"]).size()
    assert combos.min() >= K
    months = resp.dropna(subset=["submitted_month"])
    assert months.groupby(["wave_id", "submitted_month"]).size().min() >= K
    waves = [set(g.respondent_id) for _, g in resp.groupby("wave_id")]
    overlap = sum(len(a & b) for i, a in enumerate(waves) for b in waves[i + 1:])
    if linked:
        assert overlap > 0  # the admin asked for it
        for col in ("team", "role", "location"):  # hidden once: hidden in every wave
            per_person = resp.assign(hidden=resp[col] == S).groupby("respondent_id")["hidden"].agg(["any", "all"])
            assert (per_person["any"] == per_person["all"]).all(), col
    else:
        assert overlap == 0
    blob = b"".join(p.read_bytes() for p in out.rglob("*.parquet"))
    assert not [f for f in files if Path(f).stem.encode() in blob]
