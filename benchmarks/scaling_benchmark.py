"""How cost grows with respondents, skills and waves: one axis at a time, the others held.

    python -m benchmarks.scaling_benchmark [--quick]

For every size: an org database is generated with benchmarks.org_data (SQL), then measured:
  gen s       generating the base tables (benchmarks.org_data, SQL only)
  refresh s   pipelines.aggregates.refresh() of everything (a rebuild, e.g. after a migration)
  ref MiB     that refresh's peak resident memory (the generating process's VmHWM, reset before it)
  +1 wave s   refresh([last wave]): what one more wave costs the refresh inside an ingest
  ingest s    python -m pipelines.ingest of one more wave as a grid CSV (respondents x skills, made
              by benchmarks.grid_data) into that database: read, validate, insert and its refresh;
              its people are new ids (the CSV's e-mails are HMAC-hashed), so that wave's cohort is empty
  peak MiB    that ingest's peak resident memory
  pages ms    the four dashboards' first-render calls, warm, best of 3 (benchmarks.pages_benchmark)
  slowest     the slowest page of the four and its time
  connect ms  opening + closing one read-only connection (paid once per process and after each write:
              the renders in between lease a cursor of the open instance)
  MiB, MiB/M  database file size (before the extra ingest) and per million answers
Base point: 25,000 respondents x 60 skills x 4 waves; each axis varies one of them (four sizes).
--quick halves every respondent count (a smoke run). Unless --quick, a last line loads one more
100,000 x 60 wave into a copy of the 72 M-answer database (when benchmarks.org_data has built it).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analytics.db import release
from benchmarks.grid_data import write_grid
from benchmarks.org_data import OrgSpec, build, is_built, remove

BASE = OrgSpec(waves=4, respondents=25_000, skills=60)
AXES = {
    "respondents": [12_500, 25_000, 50_000, 100_000],
    "skills": [15, 30, 60, 120],
    "waves": [2, 4, 8, 12],
}


def run_child(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one child process.

    The peak is the child's own VmHWM, polled: ru_maxrss is no good here, Linux carries the
    parent's high-water mark over the exec, and this parent holds large DuckDB databases.
    """
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty child can't fill it and stall
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        status, peak_kib = Path(f"/proc/{proc.pid}/status"), 0
        while proc.poll() is None:
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak_kib = max(peak_kib, int(line.split()[1]))
            except (OSError, ValueError):  # exiting between poll() and the read
                pass
            time.sleep(0.02)
        wall = time.perf_counter() - start
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(cmd[:4])}: {err.strip()[:300]}")
    return wall, peak_kib / 1024


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
    release(str(db))  # close the dashboards' shared read-only instance, or the ingest below waits for it to idle
    grid = write_grid(tmp / "next_wave.csv", spec.respondents, spec.skills, seed=11)
    env = {**os.environ, "SKILLS_SECRET_FILE": str(tmp / "respondent-id.key")}
    ingest_s, peak = run_child([sys.executable, "-m", "pipelines.ingest", str(grid), "--db", str(db),
                                "--wave", "2031-H1", "--wave-date", "2031-05-10"], env)
    remove(db)
    grid.unlink()
    t = result["timings"]
    slowest = max(pages, key=pages.get)
    return {"answers": spec.answers, "gen": t["generate_total"], "refresh": t["refresh_full"],
            "one_wave": t["refresh_one_wave"],
            "ref_peak": result["refresh_peak_mib"] or float("nan"), "ingest": ingest_s, "peak": peak, "pages": sum(pages.values()),
            "slowest": (slowest, pages[slowest]), "connect": connect, "mib": size / 2**20,
            "agg_rows": sum(v for k, v in result["counts"].items() if k.startswith("agg_"))}


def org_ingest(tmp: Path) -> tuple[float, float] | None:
    """One more 100,000 x 60 wave loaded into a copy of the 72 M-answer org database (how long a
    load holds the file at organisation scale); None when that database has not been built."""
    spec = OrgSpec()
    if not is_built(spec, spec.default_path()):
        return None
    db = tmp / "org_copy.duckdb"
    shutil.copyfile(spec.default_path(), db)
    grid = write_grid(tmp / "org_next_wave.csv", spec.respondents, spec.skills, seed=13)
    env = {**os.environ, "SKILLS_SECRET_FILE": str(tmp / "respondent-id.key")}
    try:
        return run_child([sys.executable, "-m", "pipelines.ingest", str(grid), "--db", str(db),
                          "--wave", "2031-H1", "--wave-date", "2031-05-10"], env)
    finally:
        remove(db)
        grid.unlink()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="half the respondents everywhere (smoke run)")
    args = parser.parse_args(argv)
    scale = 0.5 if args.quick else 1.0
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    done: dict[tuple, dict] = {}
    print(f"# scaling benchmark, {started}; base {BASE.respondents:,} respondents x {BASE.skills} skills x "
          f"{BASE.waves} waves{' (quick: respondents halved)' if args.quick else ''}")
    header = (f"{'axis':<12}{'size':>8}{'answers':>9}{'gen s':>7}{'refresh s':>10}{'ref MiB':>8}{'+1 wave s':>10}{'ingest s':>9}"
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
                      f"{m['ref_peak']:>8.0f}{m['one_wave']:>10.1f}{m['ingest']:>9.1f}{m['peak']:>9.0f}{m['pages']:>9.0f}"
                      f"{m['slowest'][0] + ' ' + format(m['slowest'][1], '.0f'):>19}{m['connect']:>11.1f}"
                      f"{m['mib']:>7.0f}{m['mib'] / (m['answers'] / 1e6):>7.1f}{m['agg_rows']:>11,}", flush=True)
        if not args.quick:
            org = org_ingest(Path(tmp))
            if org is None:
                print("# org scale: run python -m benchmarks.org_data first to add the 72 M-answer ingest row")
            else:
                print(f"# org scale: one more 100,000 x 60 wave into the 72 M-answer database (a copy): ingest "
                      f"{org[0]:.1f} s, peak {org[1]:.0f} MiB - the writer holds the file that long")
    print(f"# {len(done)} databases measured in {time.perf_counter() - clock:.0f} s; load average at the end "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (at the start {load:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
