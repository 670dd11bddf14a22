"""Parquet export: partitioned by wave, row counts intact, small groups generalised."""
import duckdb
import pytest

from pipelines import db as dbmod
from pipelines import taxonomy
from pipelines.export import SUPPRESSED, export_parquet, main


@pytest.fixture
def small_db(tmp_path):
    path = str(tmp_path / "x.duckdb")
    with dbmod.writer(path) as con:
        taxonomy.sync(con, taxonomy.builtin())
        con.execute("INSERT INTO waves VALUES (1, '2025-H1', DATE '2025-05-01'), (2, '2025-H2', DATE '2025-11-01')")
        con.execute("INSERT INTO ingestions VALUES (1, 1, 'a.csv', 'x', now()::TIMESTAMP, 7, 7, 0, 'loaded', 'p', 't'),"
                    " (2, 2, 'b.csv', 'y', now()::TIMESTAMP, 2, 2, 0, 'loaded', 'p', 't')")
        # Wave 1: six people in Platform/SRE/Tokyo, one lone person in Data/DBA/Osaka.
        rows = [(1, f"r{i}", 1, "Platform", "SRE", "Tokyo") for i in range(6)] + [(1, "r9", 1, "Data", "DBA", "Osaka")]
        rows += [(2, "r0", 2, "Platform", "SRE", "Tokyo"), (2, "r1", 2, "Platform", "SRE", "Tokyo")]
        con.executemany("INSERT INTO respondents VALUES (?, ?, ?, ?, ?, ?, NULL)", rows)
        con.executemany("INSERT INTO answers VALUES (?, ?, 'docker', 3, ?)", [(w, r, i) for w, r, i, *_ in rows])
    return path


def test_export_partitions_by_wave_and_keeps_every_row(small_db, tmp_path):
    out = tmp_path / "pq"
    counts = export_parquet(out, small_db, k=5)
    assert counts["respondents"] == 9 and counts["answers"] == 9
    assert sorted(p.name for p in (out / "answers").iterdir()) == ["wave_id=1", "wave_id=2"]
    back = duckdb.sql(f"SELECT wave_id, count(*) AS n FROM read_parquet('{out}/answers/*/*.parquet', "
                      "hive_partitioning=true) GROUP BY 1 ORDER BY 1").fetchall()
    assert back == [(1, 7), (2, 2)]
    assert duckdb.sql(f"SELECT count(*) FROM '{out}/skills.parquet'").fetchall()[0][0] == len(taxonomy.builtin().skills)


def test_export_generalises_groups_under_k(small_db, tmp_path):
    out = tmp_path / "pq"
    export_parquet(out, small_db, k=5)
    resp = duckdb.sql(f"SELECT * FROM read_parquet('{out}/respondents/*/*.parquet', hive_partitioning=true)").df()
    lone = resp[(resp["wave_id"] == 1) & (resp["respondent_id"] == "r9")].iloc[0]
    assert (lone["team"], lone["role"], lone["location"]) == (SUPPRESSED,) * 3
    big = resp[(resp["wave_id"] == 1) & (resp["respondent_id"] != "r9")]
    assert set(big["team"]) == {"Platform"}  # six people: shown
    wave2 = resp[resp["wave_id"] == 2]  # two people in wave 2: under k, so hidden there
    assert set(wave2["team"]) == {SUPPRESSED}


def test_export_cli_bad_db_is_one_line(tmp_path, capsys):
    assert main(["--parquet", str(tmp_path / "o"), "--db", str(tmp_path / "missing.duckdb")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
