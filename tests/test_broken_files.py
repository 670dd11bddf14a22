"""Every file of the broken corpus (tests/broken_corpus.py) gives its documented outcome.

Loaded files: exact rows_read / rows_loaded / rows_rejected and the rejected spreadsheet rows,
counted by hand in the corpus. Refused files: status 'rejected', a one-line message, and nothing
written, both into a fresh database and into one that already holds an earlier ingestion.
"""
from __future__ import annotations

import json
import multiprocessing
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from broken_corpus import CASES, HEADER, Case, csv_bytes, markdown_table, records

from pipelines.ingest import IngestResult, ingest_file

ROOT = Path(__file__).resolve().parents[1]
REFUSED = [c for c in CASES if c.status == "rejected"]
LOADED = [c for c in CASES if c.status == "loaded"]
# audit_log (issue 8) records attempts by design; "nothing written" is about the survey data model.
NOT_DATA = {"audit_log"}
# A case normally takes about a second; one that hangs must fail, not stall the suite.
CASE_TIMEOUT = 30
# A Python exception name in a user message means a catch-all swallowed an internal failure.
LEAKED_EXCEPTION = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception|Errors|Refused|Invalid)\b\s*:")


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("secret") / "respondent-id.key"


@pytest.fixture
def key(secret_file, monkeypatch) -> Path:
    monkeypatch.setenv("SKILLS_SECRET_FILE", str(secret_file))
    return secret_file


@pytest.fixture(scope="module")
def earlier_db(tmp_path_factory, secret_file) -> Path:
    """A database holding one earlier, clean ingestion (6 respondents x 3 skills in wave 2024-H2)."""
    folder = tmp_path_factory.mktemp("earlier")
    src = folder / "earlier.csv"
    src.write_bytes(csv_bytes([HEADER, *records(6)]).replace(b"@example.com", b"@earlier.example"))
    db = folder / "earlier.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SKILLS_SECRET_FILE", str(secret_file))
        result = ingest_file(src, db=str(db), wave="2024-H2")
    assert (result.status, result.rows_loaded, result.answers) == ("loaded", 6, 18)
    return db


def copy_db(src: Path, dest: Path) -> Path:
    for suffix in ("", ".wal"):
        if Path(str(src) + suffix).exists():
            shutil.copy(str(src) + suffix, str(dest) + suffix)
    return dest


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name").fetchall()]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables if t not in NOT_DATA}
    finally:
        con.close()


def _ingest_in_child(conn, path: Path, db: str, profile: Path | None) -> None:
    try:
        conn.send(("ok", ingest_file(path, db=db, profile=profile)))
    except BaseException as exc:  # reported to the parent: the spec says a bad file never raises
        conn.send(("raised", f"{type(exc).__name__}: {str(exc)[:300]}"))
    conn.close()


def run(case: Case, folder: Path, db: Path) -> IngestResult:
    """ingest_file in a forked child, so a case that hangs fails after CASE_TIMEOUT seconds."""
    path = case.build(folder)
    profile = case.profile(folder) if case.profile else None
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_ingest_in_child, args=(send, path, str(db), profile))
    child.start()
    send.close()
    try:
        if not receive.poll(CASE_TIMEOUT):
            pytest.fail(f"{case.name}: ingest_file did not finish within {CASE_TIMEOUT}s ({path.stat().st_size} "
                        "bytes); a bad file must be refused or loaded promptly, not hang")
        try:
            kind, payload = receive.recv()
        except EOFError:
            child.join(5)
            pytest.fail(f"{case.name}: the ingesting process died (exit code {child.exitcode})")
    finally:
        if child.is_alive():
            child.kill()
        child.join(10)
    if kind == "raised":
        pytest.fail(f"{case.name}: ingest_file raised {payload}")
    return payload


def assert_refusal_message(case: Case, message: str) -> None:
    assert message.strip(), "a refusal must say why"
    assert "\n" not in message.strip(), f"message is not one line: {message!r}"
    assert "Traceback" not in message
    assert not LEAKED_EXCEPTION.search(message), f"internal exception leaked into the message: {message!r}"
    assert re.search(case.reason, message, re.IGNORECASE), \
        f"{case.name}: the reason should be about /{case.reason}/ ({case.why}), got: {message!r}"


def test_corpus_is_big_enough_and_names_are_unique():
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


def test_robustness_doc_lists_every_case_with_its_outcome():
    doc = (ROOT / "docs" / "robustness.md").read_text(encoding="utf-8")
    assert markdown_table() in doc, "docs/robustness.md is out of date: paste broken_corpus.markdown_table()"


@pytest.mark.parametrize("case", LOADED, ids=lambda c: c.name)
def test_loaded_case_has_hand_counted_rows(case, tmp_path, key):
    db = tmp_path / "fresh.duckdb"
    result = run(case, tmp_path, db)
    assert result.status == "loaded", f"{case.name}: expected a load, got {result.status}: {result.message}"
    counts = (result.rows_read, result.rows_loaded, result.rows_rejected)
    assert counts == (case.rows_read, case.rows_loaded, case.rows_rejected), case.why
    assert result.wave == case.wave
    con = duckdb.connect(str(db), read_only=True)
    try:
        [(iid, read, loaded, rejected, wave)] = con.execute(
            "SELECT i.ingestion_id, rows_read, rows_loaded, rows_rejected, w.label FROM ingestions i "
            "JOIN waves w USING (wave_id)").fetchall()
        assert (read, loaded, rejected, wave) == (*counts, case.wave)
        assert con.execute("SELECT count(*) FROM respondents WHERE ingestion_id = ?", [iid]).fetchall()[0][0] == loaded
        rejected_at = {r[0] for r in con.execute("SELECT DISTINCT source_row FROM rejected_rows WHERE ingestion_id = ?",
                                                 [iid]).fetchall()}
        assert rejected_at == set(case.rejected_at), "rejected_rows must name the failing spreadsheet rows"
        if case.answers is not None:
            assert con.execute("SELECT count(*) FROM answers WHERE ingestion_id = ?", [iid]).fetchall()[0][0] \
                == case.answers
        if case.check:
            case.check(con, iid)
    finally:
        con.close()


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.name)
def test_refused_case_into_fresh_db_writes_nothing(case, tmp_path, key):
    db = tmp_path / "fresh.duckdb"
    result = run(case, tmp_path, db)
    assert result.status == "rejected", (f"{case.name}: expected a refusal ({case.why}), got {result.status} "
                                         f"{result.rows_read}/{result.rows_loaded}/{result.rows_rejected}: "
                                         f"{result.message}")
    assert_refusal_message(case, result.message)
    assert (result.rows_loaded, result.ingestion_id) == (0, None)
    if db.exists():  # opening a database is allowed; putting anything in it is not
        assert all(not rows for t, rows in dump(db).items() if t not in {"schema_migrations", "skill_areas",
                                                                          "skills", "service_categories"})


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.name)
def test_refused_case_leaves_an_existing_db_unchanged(case, tmp_path, key, earlier_db):
    db = copy_db(earlier_db, tmp_path / "existing.duckdb")
    before = dump(db)
    result = run(case, tmp_path, db)
    assert result.status == "rejected", f"{case.name}: got {result.status}: {result.message}"
    assert_refusal_message(case, result.message)
    assert dump(db) == before, f"{case.name}: a refused file changed the database"


def test_cli_refuses_each_file_with_exit_3_and_one_stderr_line(tmp_path, key):
    """The command line contract for refusals: exit 3, one line per file on stderr, never a traceback."""
    cases = [c for c in REFUSED if c.profile is None]
    files = []
    for n, case in enumerate(cases):
        folder = tmp_path / f"{n:02d}"
        folder.mkdir()
        files.append(str(case.build(folder)))
    db = tmp_path / "cli.duckdb"
    proc = subprocess.run([sys.executable, "-m", "pipelines.ingest", *files, "--db", str(db), "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={"SKILLS_SECRET_FILE": str(key), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    outputs = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    got = {o["file"]: o["status"] for o in outputs}
    assert got == {Path(f).name: "rejected" for f in files}, \
        f"every file needs its own JSON result 'rejected'; stderr: {proc.stderr[-1500:]}"
    assert len([line for line in proc.stderr.splitlines() if line.strip()]) == len(cases), proc.stderr[-1500:]
