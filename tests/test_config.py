"""The one typed configuration: every file and variable through its model, errors that name the
file and the key; and the boundaries (analytics never imports pipelines; one lock, one retry)."""
from __future__ import annotations

import ast
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from common import audit_store
from common.duck import connect, quote_ident
from common.locks import file_lock, is_held
from schemas import config, settings
from schemas.config import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("model, name, text, message", [
    (config.Targets, "targets.yaml", "areas:\n  iac: 1.5\n", "targets.yaml: areas.iac: must be between 0 and 1, got 1.5"),
    (config.Targets, "targets.yaml", "default: high\n", "targets.yaml: default: must be a number, got 'high'"),
    (config.AppConfig, "app_config.yaml", "min_group_size: 0\n", "app_config.yaml: min_group_size: must be at least 1, got 0"),
    (config.AppConfig, "app_config.yaml", "proficient_threshold: true\n",
     "app_config.yaml: proficient_threshold: must be a whole number, got True"),
    (config.AppConfig, "app_config.yaml", "k: 5\n", "app_config.yaml: unknown keys ['k'] (known: "),
    (config.Headcount, "headcount.yaml", "waves:\n  2024-H1:\n    teams: {Data: -3}\n",
     "headcount.yaml: waves.2024-H1.teams.Data: must be at least 0, got -3"),
    (config.AccessFile, "access.yaml", "require_login: yes please\n",
     "access.yaml: require_login: must be true or false, got 'yes please'"),
    (config.Levels, "levels.yaml", "5: [godlike]\n", "levels.yaml: [5]: must be at most 4, got 5"),
    (config.TaxonomyFile, "taxonomy.yaml", "areas:\n  - {id: Bad Id, en: x}\n",
     "taxonomy.yaml: areas[0].id: must match ^[a-z0-9_]+$, got 'Bad Id'"),
    (config.TaxonomyFile, "taxonomy.yaml", "areas:\n  - {id: a, en: Calculus, algebra}\n",
     "taxonomy.yaml: areas[0]: unknown keys ['algebra']"),  # the flow-mapping comma that cut a name
    (config.ExampleQueries, "example_queries.yaml", "queries:\n  - {name: x}\n",
     "example_queries.yaml: queries[0].sql: is required"),
    (config.DataDictionary, "data_dictionary.yaml", "tables: [waves]\n",
     "data_dictionary.yaml: tables: must be a mapping (key: value)"),
    (config.ProfileFile, "p.yaml", "questions:\n  - {kind: rating, columns: [A], level: 9}\n",
     "p.yaml: questions[0].level: must be at most 4, got 9"),
    (config.ProfileFile, "p.yaml", "read: {sheet: [1]}\n", "p.yaml: read.sheet: must be"),
    (config.AppConfig, "app_config.yaml", "a: [unclosed\n", "app_config.yaml: not valid YAML"),
])
def test_errors_name_the_file_and_the_key(tmp_path, model, name, text, message):
    with pytest.raises(ConfigError) as caught:
        config.load(model, write(tmp_path, name, text))
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("model, path", [
    (config.AppConfig, settings.APP_CONFIG), (config.Targets, settings.TARGETS),
    (config.Headcount, settings.HEADCOUNT), (config.AccessFile, ROOT / "data" / "access.yaml"),
    (config.Levels, settings.LEVELS), (config.TaxonomyFile, settings.TAXONOMY),
    (config.ExampleQueries, settings.EXAMPLE_QUERIES), (config.DataDictionary, settings.DATA_DICTIONARY),
    *[(config.ProfileFile, p) for p in sorted((ROOT / "data" / "profiles").glob("*.yaml"))],
], ids=lambda v: v.name if isinstance(v, Path) else "")
def test_every_shipped_file_passes_its_model(model, path):
    config.load(model, path)


def test_headcount_by_hand(tmp_path):
    hc = config.load(config.Headcount, write(tmp_path, "h.yaml", "waves:\n  2024:\n    total: 10\n  2025-H1:\n"))
    assert hc.waves["2024"].total == 10 and hc.waves["2025-H1"].total is None  # a bare year is a label too


@pytest.mark.parametrize("var, value, message", [
    ("SKILLS_MAX_UPLOAD_MB", "lots", "SKILLS_MAX_UPLOAD_MB: must be a whole number, got 'lots'"),
    ("SKILLS_MAX_UPLOAD_MB", "0", "SKILLS_MAX_UPLOAD_MB: must be at least 1, got '0'"),
    ("SKILLS_REQUIRE_LOGIN", "perhaps", "SKILLS_REQUIRE_LOGIN: must be true or false, got 'perhaps'"),
])
def test_a_bad_environment_variable_is_one_line_naming_it(monkeypatch, var, value, message):
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError, match=f"^{message}$"):
        settings.env()


def test_environment_defaults_and_overrides(monkeypatch, tmp_path):
    for var in ("SKILLS_DB", "SKILLS_SAVED_QUERIES", "SKILLS_AUDIT_FILE", "SKILLS_MAX_UPLOAD_MB"):
        monkeypatch.delenv(var, raising=False)
    assert settings.db_path() == str(ROOT / "data" / "skills.duckdb")
    assert settings.max_upload_mb() == 200
    monkeypatch.setenv("SKILLS_DB", str(tmp_path / "x.duckdb"))
    assert settings.db_path() == str(tmp_path / "x.duckdb")
    assert settings.db_path("md:prod") == "md:prod"
    assert settings.saved_queries_path() == tmp_path / "saved_queries.json"
    assert settings.audit_path() == tmp_path / "x.audit.jsonl"
    monkeypatch.setenv("SKILLS_DB", "")  # empty counts as unset
    assert settings.db_path() == str(ROOT / "data" / "skills.duckdb")


def test_analytics_never_imports_pipelines():
    """The read side has its own modules and shared schemas; it must not reach into the writer's."""
    offenders = []
    for path in sorted((ROOT / "analytics").glob("*.py")) + sorted((ROOT / "common").glob("*.py")) + sorted(
            (ROOT / "schemas").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n == "pipelines" or n.startswith("pipelines.")]
    assert offenders == []


def test_env_lookups_and_fcntl_live_in_one_place():
    """SKILLS_* variables are read by schemas/settings.py only; locks are common/locks.py's."""
    found = []
    for path in [ROOT / "app.py", *ROOT.glob("*/*.py")]:
        if path.parts[-2] in ("tests", "benchmarks") or path == ROOT / "schemas" / "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {w}" for w in ('environ.get("SKILLS', 'getenv("SKILLS', 'environ["SKILLS', "fcntl")
                  if w in text]
    assert found == []


# --- one lock, one retry, one quoter ----------------------------------------------------------

def _hold(path: str, seconds: float, ready) -> None:
    with file_lock(path):
        ready.set()
        time.sleep(seconds)


def test_the_lock_is_seen_across_processes_and_released(tmp_path):
    path = str(tmp_path / "x.lock")
    assert not is_held(path)  # never taken: not even created by asking
    assert not Path(path).exists()
    ready = multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold, args=(path, 1.0, ready))
    holder.start()
    try:
        assert ready.wait(30)
        assert is_held(path)
        started = time.monotonic()
        with file_lock(path, timeout=30):  # waits for the other process, then has it
            waited = time.monotonic() - started
    finally:
        holder.join(30)
    assert waited > 0.2
    assert not is_held(path)


def test_connect_waits_out_a_writer_then_opens(tmp_path):
    db = str(tmp_path / "w.duckdb")
    duckdb.connect(db).close()
    hold = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(1.5)"
    writer = subprocess.Popen([sys.executable, "-c", hold, db], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        with pytest.raises(duckdb.IOException):
            connect(db, read_only=True, wait_seconds=0)  # no waiting: the lock error as is
        started = time.monotonic()
        con = connect(db, read_only=True, wait_seconds=60)
        assert time.monotonic() - started > 0.3
        con.close()
    finally:
        writer.wait(60)


def test_connect_does_not_retry_other_errors(tmp_path):
    bad = tmp_path / "not.duckdb"
    bad.write_text("not a database", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(duckdb.Error):
        connect(str(bad), read_only=True, wait_seconds=30)
    assert time.monotonic() - started < 5


def test_quote_ident():
    assert quote_ident('we"ird name') == '"we""ird name"'
    con = duckdb.connect()
    name = 'a "b'
    con.execute(f"CREATE TABLE {quote_ident(name)} (x INT)")
    assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [('a "b',)]


def _append_many(path: str, n: int) -> None:
    for i in range(n):
        audit_store.append(Path(path), "p", "sql_query", i, "x" * 3000)


def test_audit_store_appends_from_several_processes_lose_nothing(tmp_path):
    path = tmp_path / "audit.jsonl"
    workers = [multiprocessing.Process(target=_append_many, args=(str(path), 50)) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    events = audit_store.read(path)
    assert len(events) == 150 and sorted(int(e["target"]) for e in events) == sorted(list(range(50)) * 3)
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"cut short')  # a crash mid-write leaves a partial last line
    assert len(audit_store.read(path)) == 150
