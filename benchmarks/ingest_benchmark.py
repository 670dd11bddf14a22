"""Ingest speed and memory against baselines, measured in one run, printed as ratios.

    python -m benchmarks.ingest_benchmark [--respondents 100000] [--skills 60] [--repeat 3]

Each contender runs in its own process (so peak memory is its own) on the same generated file:
  duckdb  DuckDB alone: read_csv(all_varchar) + UNPIVOT into a table of a fresh database file
  pandas  a plain pandas pipeline: read_csv, melt, map labels, pandera validation, insert
  ours    python -m pipelines.ingest on the file into a fresh database
The contenders take turns, --repeat rounds in a shuffled order, and the best run of each is kept
(the machines are noisy, and their speed drifts: turns keep most of the drift out of the ratios).

pandas and ours run as installed from requirements.txt: the packages requirements-dev.txt adds
for tests are hidden from them. pandera imports one of those (hypothesis, for its data-synthesis
strategies) at its first validation when it is installed, which costs about 0.1 s. Ours is also
run in the dev environment as it is, and printed beside.
"""
from __future__ import annotations

import argparse
import os
import random
import re
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


# Runs a module (-m) or a script (-c) with some packages made unimportable, as when not installed.
AS_INSTALLED = """
import runpy, sys
for name in filter(None, sys.argv[1].split(",")):
    sys.modules[name] = None  # importing it raises ImportError, as for a package that is not there
kind, target = sys.argv[2], sys.argv[3]
sys.argv = [target] + sys.argv[4:]
if kind == "-m":
    runpy.run_module(target, run_name="__main__", alter_sys=True)
else:
    exec(compile(target, "<contender>", "exec"), {"__name__": "__main__"})
"""
ROOT = Path(__file__).resolve().parent.parent


def dev_only_packages() -> list[str]:
    """The packages requirements-dev.txt adds to requirements.txt, by the name they are imported as
    (the distribution name, lower case, "-" as "_": true of every package there today)."""
    def names(path: Path) -> set[str]:
        lines = path.read_text(encoding="utf-8").splitlines()
        found = (re.match(r"[A-Za-z0-9_.-]+", line.strip()) for line in lines
                 if line.strip() and not line.lstrip().startswith(("#", "-")))
        return {m.group(0).lower().replace("-", "_") for m in found if m}
    return sorted(names(ROOT / "requirements-dev.txt") - names(ROOT / "requirements.txt"))


def as_installed(py: str, kind: str, target: str, *args: str) -> list[str]:
    return [py, "-c", AS_INSTALLED, ",".join(dev_only_packages()), kind, target, *args]


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


def take_turns(contenders: dict, repeat: int, env=None) -> dict[str, tuple[float, float]]:
    """{name: (best seconds, peak MiB)}: each round runs every contender once, in an order shuffled
    each round (a fixed seed), so no contender always runs right after the same one."""
    runs: dict[str, list] = {name: [] for name in contenders}
    for i in range(repeat):
        for name in random.Random(i).sample(list(contenders), len(contenders)):
            runs[name].append(run(contenders[name](i), env))
    return {name: (min(r[0] for r in found), max(r[1] for r in found)) for name, found in runs.items()}


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

        results = take_turns({
            "duck": lambda i: [py, "-c", DUCKDB_ALONE, str(grid), db("duck", i)],
            "pandas": lambda i: as_installed(py, "-c", PANDAS_PIPELINE, str(grid), db("pandas", i)),
            "ours": lambda i: as_installed(py, "-m", "pipelines.ingest", str(grid), "--db", db("ours", i),
                                           "--wave", "bench"),
            "ours_dev": lambda i: [py, "-m", "pipelines.ingest", str(grid), "--db", db("dev", i), "--wave", "bench"],
        }, args.repeat, env)
        duck, pand, ours, dev = (results[k] for k in ("duck", "pandas", "ours", "ours_dev"))
        size = Path(db("ours", 0)).stat().st_size / 2**20
    print(f"# ingest benchmark: {args.respondents:,} respondents x {args.skills} skills "
          f"({args.respondents * args.skills / 1e6:.1f} M cells), best of {args.repeat}")
    print(f"{'contender':<28}{'seconds':>9}{'peak MiB':>10}{'time vs duckdb':>16}")
    for name, (secs, peak) in (("duckdb read_csv+UNPIVOT", duck), ("pandas+pandera pipeline", pand),
                               ("pipelines.ingest (ours)", ours), ("  ours in the dev venv", dev)):
        print(f"{name:<28}{secs:>9.2f}{peak:>10.0f}{secs / duck[0]:>15.2f}x")
    print(f"(pandas and ours as installed from requirements.txt: {', '.join(dev_only_packages())} hidden)")
    print(f"ours vs pandas pipeline: {ours[0] / pand[0]:.2f}x time; database {size:.1f} MiB")
    print(f"targets: ours <= 2.0x duckdb (issue 15): {'MET' if ours[0] <= 2 * duck[0] else 'NOT MET'}; "
          f"peak < 2048 MiB: {'MET' if ours[1] < 2048 else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
