"""The respondent-id key against the database it hashed: a fingerprint is stored (never the key),
a missing or different key is refused in one line (exit 3) while data exists, --new-key replaces
it on purpose, and a key file other users can read is refused with the chmod to run."""
from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest
from pipeline_fixtures import run_cli, write_csv

from pipelines import identity

ROWS = [["Email Address", "Team", "Docker"], ["alice@example.com", "A", "3"], ["bob@example.com", "B", "1"]]
LABEL = b"skills-survey respondent-id key fingerprint v1"  # as documented in README / docs/privacy.md


def loaded(result):
    assert result.status == "loaded", result.message
    return result


def fingerprint_of(key_file: Path) -> str:
    """The documented fingerprint, computed here with the standard library."""
    key = key_file.read_text(encoding="ascii").strip().encode("ascii")
    return hmac.new(key, LABEL, hashlib.sha256).hexdigest()[:16]


def other_key(path: Path, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("f" * 64, encoding="ascii")
    path.chmod(mode)
    return path


@pytest.fixture
def with_data(env):
    loaded(env.ingest(write_csv(env.tmp / "w1.csv", ROWS), wave="2025-H1"))
    return env


def test_the_database_stores_the_keys_fingerprint_not_the_key(with_data):
    env = with_data
    assert env.rows("SELECT fingerprint FROM respondent_key") == [(fingerprint_of(env.secret),)]
    raw = b"".join(Path(env.db + s).read_bytes() for s in ("", ".wal") if Path(env.db + s).exists())
    assert env.secret.read_bytes().strip() not in raw
    # A second load with the same key adds no row.
    loaded(env.ingest(write_csv(env.tmp / "w2.csv", ROWS), wave="2025-H2"))
    assert env.rows("SELECT count(*) FROM respondent_key") == [(1,)]


def test_a_missing_key_with_data_is_refused_in_one_line_exit_3(with_data):
    env = with_data
    before = env.snapshot()
    env.secret.unlink()
    proc = run_cli(env, str(write_csv(env.tmp / "w2.csv", ROWS)), "--wave", "2025-H2")
    assert proc.returncode == 3
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "no respondent id key" in lines[0] and "--new-key" in lines[0] and "backup" in lines[0]
    assert env.snapshot() == before
    assert not env.secret.exists()  # the key made for the attempt is gone again: still missing, not "different"


def test_a_different_key_is_refused_and_changes_nothing(with_data):
    env = with_data
    before = env.snapshot()
    stored = fingerprint_of(env.secret)
    other_key(env.secret)
    result = env.ingest(write_csv(env.tmp / "w2.csv", ROWS), wave="2025-H2")
    assert result.status == "rejected" and "\n" not in result.message
    assert "is not the one" in result.message and stored in result.message and fingerprint_of(env.secret) in result.message
    assert env.snapshot() == before
    assert env.secret.read_text(encoding="ascii") == "f" * 64  # an existing key file is never touched


def test_new_key_replaces_the_key_and_says_cohorts_break(with_data):
    env = with_data
    old_id = env.rows("SELECT respondent_id FROM respondents WHERE team = 'A'")[0][0]
    old_fingerprint = fingerprint_of(env.secret)
    other_key(env.secret)
    proc = run_cli(env, str(write_csv(env.tmp / "w2.csv", ROWS)), "--wave", "2025-H2", "--new-key")
    assert proc.returncode == 0, proc.stderr
    assert "key was replaced" in proc.stderr and "can't be linked" in proc.stderr
    new_id = env.rows("SELECT r.respondent_id FROM respondents r JOIN waves w USING (wave_id) "
                      "WHERE w.label = '2025-H2' AND team = 'A'")[0][0]
    assert new_id != old_id  # the same person, no longer linked: what the warning says
    assert env.rows("SELECT fingerprint FROM respondent_key ORDER BY adopted_at") == \
        [(old_fingerprint,), (fingerprint_of(env.secret),)]
    # From now on the new key is the database's: loads pass without the flag.
    loaded(env.ingest(write_csv(env.tmp / "w3.csv", ROWS), wave="2026-H1"))


def test_an_emptied_database_takes_a_new_key(with_data):
    env = with_data
    from pipelines.ingest import delete

    assert delete(env.db, 1)
    other_key(env.secret)
    loaded(env.ingest(write_csv(env.tmp / "w2.csv", ROWS), wave="2025-H2"))
    assert env.rows("SELECT fingerprint FROM respondent_key ORDER BY adopted_at DESC LIMIT 1") == \
        [(fingerprint_of(env.secret),)]


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620], ids=["world-readable", "group-readable",
                                                                     "others-read", "group-write"])
def test_a_key_file_other_users_can_access_is_refused_with_the_chmod(env, mode):
    other_key(env.secret, mode)
    result = env.ingest(write_csv(env.tmp / "w1.csv", ROWS), wave="2025-H1")
    assert result.status == "rejected" and "\n" not in result.message
    assert f"chmod 600 {env.secret}" in result.message
    assert env.snapshot() == {}  # nothing written, not even a database
    assert stat.S_IMODE(env.secret.stat().st_mode) == mode  # reported, not silently "fixed"


def test_a_new_key_is_created_private(env):
    old = os.umask(0)  # the most permissive umask: the key must still be 0600
    try:
        loaded(env.ingest(write_csv(env.tmp / "w1.csv", ROWS), wave="2025-H1"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(env.secret.stat().st_mode) == 0o600
    assert stat.S_IMODE(env.secret.parent.stat().st_mode) & 0o077 == 0


def test_fingerprint_function_matches_the_documented_formula(env):
    key_file = other_key(env.secret)
    assert identity.fingerprint() == fingerprint_of(key_file)
