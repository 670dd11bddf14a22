"""Ingest speed and memory against baselines, measured in one run, printed as ratios.

    python -m benchmarks.ingest_benchmark [--respondents 100000] [--skills 60] [--repeat 3]

Each contender runs in its own process (so peak memory is its own) on the same generated file:
  duckdb  DuckDB alone: read_csv(all_varchar) + UNPIVOT into a table of a fresh database file
  pandas  a plain pandas pipeline: read_csv, melt, map labels, pandera validation, insert
  ours    python -m pipelines.ingest on the file into a fresh database
The best of --repeat runs is kept for each (the machines are noisy; best-of is the least noisy).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.grid_data import write_grid

DUCKDB_ALONE = """
import duckdb, sys
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE answers AS UNPIVOT (SELECT * FROM read_csv(?, all_varchar=true)) "
            "ON COLUMNS('^Rate') INTO NAME skill VALUE level", [sys.argv[1]])
con.close()
"""

PANDAS_PIPELINE = """
import sys, duckdb, pandas as pd, pandera.pandas as pa
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
skills = [c for c in df.columns if c.startswith("Rate")]
long = df.melt(id_vars=["Email Address", "Team", "Role", "Location", "Timestamp"], value_vars=skills,
               var_name="skill", value_name="label")
long = long[long["label"] != ""]
levels = {"none": 0, "aware": 1, "basic": 2, "proficient": 3, "expert": 4}
long["level"] = long["label"].str.strip().str.casefold().map(levels)
schema = pa.DataFrameSchema({"Email Address": pa.Column(str), "skill": pa.Column(str),
                             "level": pa.Column(int, pa.Check.in_range(0, 4))})
long = schema.validate(long[["Email Address", "skill", "level"]], lazy=True)
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE answers AS SELECT * FROM long")
con.close()
"""


def run(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(cmd[:4])}: {err.strip()[:300]}")
    return wall, usage.ru_maxrss / 1024


def best(cmd_factory, repeat: int, env=None) -> tuple[float, float]:
    results = [run(cmd_factory(i), env) for i in range(repeat)]
    return min(r[0] for r in results), max(r[1] for r in results)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--skills", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        grid = write_grid(tmp / "grid.csv", args.respondents, args.skills)
        env = {**os.environ, "SKILLS_SECRET_FILE": str(tmp / "key")}
        py = sys.executable

        def db(name, i):
            path = tmp / f"{name}{i}.duckdb"
            return str(path)

        duck = best(lambda i: [py, "-c", DUCKDB_ALONE, str(grid), db("duck", i)], args.repeat, env)
        pand = best(lambda i: [py, "-c", PANDAS_PIPELINE, str(grid), db("pandas", i)], args.repeat, env)
        ours = best(lambda i: [py, "-m", "pipelines.ingest", str(grid), "--db", db("ours", i), "--wave", "bench"],
                    args.repeat, env)
        size = Path(db("ours", 0)).stat().st_size / 2**20
    print(f"# ingest benchmark: {args.respondents:,} respondents x {args.skills} skills "
          f"({args.respondents * args.skills / 1e6:.1f} M cells), best of {args.repeat}")
    print(f"{'contender':<28}{'seconds':>9}{'peak MiB':>10}{'time vs duckdb':>16}")
    for name, (secs, peak) in (("duckdb read_csv+UNPIVOT", duck), ("pandas+pandera pipeline", pand),
                               ("pipelines.ingest (ours)", ours)):
        print(f"{name:<28}{secs:>9.2f}{peak:>10.0f}{secs / duck[0]:>15.2f}x")
    print(f"ours vs pandas pipeline: {ours[0] / pand[0]:.2f}x time; database {size:.1f} MiB")
    print(f"targets: ours <= 2.0x duckdb (issue 2) / 1.5x (issue 7): {'MET' if ours[0] <= 1.5 * duck[0] else 'met 2.0x' if ours[0] <= 2 * duck[0] else 'NOT MET'}; "
          f"peak < 2048 MiB: {'MET' if ours[1] < 2048 else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
