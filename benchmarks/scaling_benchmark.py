"""How cost grows with respondents, skills and waves: one axis at a time, the others held.

    python -m benchmarks.scaling_benchmark [--quick]

For every size: an org database is generated with benchmarks.org_data (SQL), then measured:
  gen s       generating the base tables (benchmarks.org_data, SQL only)
  refresh s   pipelines.aggregates.refresh() of everything (a rebuild, e.g. after a migration)
  +1 wave s   refresh([last wave]): what one more wave costs the refresh inside an ingest
  ingest s    python -m pipelines.ingest of one more wave as a grid CSV (respondents x skills, made
              by benchmarks.grid_data) into that database: read, validate, insert and its refresh;
              its people are new ids (the CSV's e-mails are HMAC-hashed), so that wave's cohort is empty
  peak MiB    that ingest's peak resident memory
  pages ms    the four dashboards' first-render calls, warm, best of 3 (benchmarks.pages_benchmark)
  slowest     the slowest page of the four and its time
  connect ms  opening + closing one read-only connection (every metric call pays it)
  MiB, MiB/M  database file size (before the extra ingest) and per million answers
Base point: 25,000 respondents x 60 skills x 4 waves; each axis varies one of them (four sizes).
--quick halves every respondent count (a smoke run).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.grid_data import write_grid
from benchmarks.ingest_benchmark import run as run_child
from benchmarks.org_data import OrgSpec, build, remove

BASE = OrgSpec(waves=4, respondents=25_000, skills=60)
AXES = {
    "respondents": [12_500, 25_000, 50_000, 100_000],
    "skills": [15, 30, 60, 120],
    "waves": [2, 4, 8, 12],
}


def connect_ms(db: str, repeat: int = 5) -> float:
    import duckdb

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        con = duckdb.connect(db, read_only=True)
        con.execute("SELECT 1").fetchall()
        con.close()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def pages_ms(db: str) -> dict[str, float]:
    from benchmarks import pages_benchmark as pb

    setup = pb._setup(db)
    return {page: sum(pb.best_of(lambda p=page: pb.run_ours(db, p, setup), 3).values()) * 1000
            for page in pb.DASHBOARDS}


def measure(spec: OrgSpec, tmp: Path) -> dict:
    db = tmp / "scale.duckdb"
    result = build(spec, db)
    size = db.stat().st_size
    connect = connect_ms(str(db))
    pages = pages_ms(str(db))
    grid = write_grid(tmp / "next_wave.csv", spec.respondents, spec.skills, seed=11)
    env = {**os.environ, "SKILLS_SECRET_FILE": str(tmp / "respondent-id.key")}
    ingest_s, peak = run_child([sys.executable, "-m", "pipelines.ingest", str(grid), "--db", str(db),
                                "--wave", "2031-H1", "--wave-date", "2031-05-10"], env)
    remove(db)
    grid.unlink()
    t = result["timings"]
    slowest = max(pages, key=pages.get)
    return {"answers": spec.answers, "gen": t["generate_total"], "refresh": t["refresh_full"],
            "one_wave": t["refresh_one_wave"], "ingest": ingest_s, "peak": peak, "pages": sum(pages.values()),
            "slowest": (slowest, pages[slowest]), "connect": connect, "mib": size / 2**20,
            "agg_rows": sum(v for k, v in result["counts"].items() if k.startswith("agg_"))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="half the respondents everywhere (smoke run)")
    args = parser.parse_args(argv)
    scale = 0.5 if args.quick else 1.0
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    done: dict[tuple, dict] = {}
    print(f"# scaling benchmark, {started}; base {BASE.respondents:,} respondents x {BASE.skills} skills x "
          f"{BASE.waves} waves{' (quick: respondents halved)' if args.quick else ''}")
    header = (f"{'axis':<12}{'size':>8}{'answers':>9}{'gen s':>7}{'refresh s':>10}{'+1 wave s':>10}{'ingest s':>9}"
              f"{'peak MiB':>9}{'pages ms':>9}{'slowest page':>19}{'connect ms':>11}{'MiB':>7}{'MiB/M':>7}{'agg rows':>11}")
    print(header, flush=True)
    clock, load = time.perf_counter(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for axis, sizes in AXES.items():
            for size in sizes:
                values = {"waves": BASE.waves, "respondents": BASE.respondents, "skills": BASE.skills, axis: size}
                spec = OrgSpec(values["waves"], int(values["respondents"] * scale), values["skills"])
                key = (spec.waves, spec.respondents, spec.skills)
                if key not in done:
                    done[key] = measure(spec, Path(tmp))
                m = done[key]
                shown = int(size * scale) if axis == "respondents" else size
                print(f"{axis:<12}{shown:>8,}{m['answers'] / 1e6:>8.1f}M{m['gen']:>7.1f}{m['refresh']:>10.1f}"
                      f"{m['one_wave']:>10.1f}{m['ingest']:>9.1f}{m['peak']:>9.0f}{m['pages']:>9.0f}"
                      f"{m['slowest'][0] + ' ' + format(m['slowest'][1], '.0f'):>19}{m['connect']:>11.1f}"
                      f"{m['mib']:>7.0f}{m['mib'] / (m['answers'] / 1e6):>7.1f}{m['agg_rows']:>11,}", flush=True)
    print(f"# {len(done)} databases measured in {time.perf_counter() - clock:.0f} s; load average at the end "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (at the start {load:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
