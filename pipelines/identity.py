"""Respondent ids: a keyed hash (HMAC-SHA256) of the normalised email or employee id.

The key lives outside the database and the repository (see schemas.settings.secret_path) and
is created on first use (mode 0600), so the same person gets the same id in every wave while the
database alone can't be used to recover or confirm anyone's email. A key file other users can
read or write is refused. The database keeps a fingerprint of the key it was loaded with
(`respondent_key`): a load with another key, or with none while data exists, is refused unless
the key is replaced on purpose (`--new-key`).
"""
from __future__ import annotations

import hmac
import os
import secrets
import stat
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines import errors
from pipelines.text import norm
from schemas.settings import secret_path

# HMAC(key, label): shows whether two keys are the same without revealing or weakening the key.
FINGERPRINT_LABEL = b"skills-survey respondent-id key fingerprint v1"
MESSAGES = {
    "damaged": "the respondent id key at {path} is damaged (too short); restore it from its backup",
    "exposed": "the respondent id key at {path} can be read or changed by other users (mode {mode:o}); "
               "run: chmod 600 {path}",
    "missing": "there is no respondent id key at {path}, but this database holds respondents hashed with "
               "one (fingerprint {stored}); restore the key file from its backup, or load with --new-key "
               "to start a new key (people in waves loaded before it then can't be linked to later waves)",
    "different": "the respondent id key at {path} (fingerprint {current}) is not the one this database's "
                 "respondents were hashed with (fingerprint {stored}); restore that key file, or load with "
                 "--new-key to start a new key (people in waves loaded before it then can't be linked to "
                 "later waves)",
    "replaced": "the respondent id key was replaced (fingerprint {stored} -> {current}): people in the waves "
                "loaded before this can't be linked to the same people after it, so cohort comparisons "
                "across this point are empty",
}


class KeyRefused(errors.Plain):
    """The key can't be used; str() is the one line shown to the user."""


_created: set[Path] = set()  # key files this process created (a refused load removes them again)


def secret_key() -> bytes:
    path = secret_path()
    if not path.exists():
        _create_key(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyRefused(MESSAGES["exposed"].format(path=path, mode=mode))
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise KeyRefused(MESSAGES["damaged"].format(path=path))
    return key.encode("ascii")


def _create_key(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Write a private temp file, then hard-link it into place: the key appears whole or not at all,
    # and when two loaders start at once the second link fails and both use the first key.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    try:
        os.link(tmp, path)
        _created.add(path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def fingerprint(key: bytes | None = None) -> str:
    """16 hex digits of HMAC(key, a fixed label): stored in the database in place of the key."""
    return hmac.new(key or secret_key(), FINGERPRINT_LABEL, "sha256").hexdigest()[:16]


def check_key(con: duckdb.DuckDBPyConnection, current: str, new_key: bool) -> str | None:
    """Before a load: refuse a key other than the one the data was hashed with (KeyRefused).

    Returns a warning when `new_key` replaces the database's key while it holds respondents.
    A database without respondents takes whatever key is used; one without a fingerprint yet
    (loaded before fingerprints were kept) takes the current key as its own.
    """
    stored = stored_fingerprint(con)
    path = secret_path()
    if stored is None or stored == current or not con.execute("SELECT count(*) FROM respondents").fetchall()[0][0]:
        _created.discard(path)  # in use now: never removed again
        return None
    if new_key:
        _created.discard(path)
        return MESSAGES["replaced"].format(stored=stored, current=current)
    if path in _created:  # made just now because none was there: put things back as they were
        path.unlink(missing_ok=True)
        _created.discard(path)
        raise KeyRefused(MESSAGES["missing"].format(path=path, stored=stored))
    raise KeyRefused(MESSAGES["different"].format(path=path, current=current, stored=stored))


def stored_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    if not _has_key_table(con):
        return None
    rows = con.execute("SELECT fingerprint FROM respondent_key ORDER BY adopted_at DESC, fingerprint "
                       "LIMIT 1").fetchall()
    return rows[0][0] if rows else None


def remember_key(con: duckdb.DuckDBPyConnection, current: str) -> None:
    """Inside a load's transaction: the database's key is now `current`."""
    if _has_key_table(con) and stored_fingerprint(con) != current:
        con.execute("INSERT INTO respondent_key (fingerprint) VALUES (?)", [current])


def _has_key_table(con: duckdb.DuckDBPyConnection) -> bool:
    """False only in a schema before migration 007, which tests build by pinning the migrations."""
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                            "AND schema_name = 'main' AND table_name = 'respondent_key'").fetchall()[0][0])


def hash_ids(values: pd.Series) -> pd.Series:
    """One id per value: the HMAC of its `norm` form (NFKC, case-folded, single spaces).

    Each distinct raw value is normalised and hashed once, in one plain loop over Python strings
    (at 100,000 respondents a third of the time pandas' string methods and a dict map take). The
    key goes into one HMAC object, copied for each value: cheaper than keying `hmac.digest` anew.
    """
    keyed = hmac.new(secret_key(), digestmod="sha256")
    codes, distinct = pd.factorize(values.astype("str"), sort=False)  # 1 and "1" alike, as text
    digests: list[str | None] = []
    for value in distinct.tolist():
        digest = keyed.copy()
        digest.update(norm(value).encode("utf-8"))
        digests.append(digest.hexdigest()[:32])
    digests.append(None)  # code -1 (missing) -> None
    return pd.Series(np.array(digests, dtype=object)[codes], index=values.index, dtype=object)


def per_ingestion_ids(rows: pd.Series) -> pd.Series:
    """Without an id column, each row is its own respondent within this ingestion only.

    A fresh random salt per call: the same file loaded into another wave gets other ids, so
    anonymous respondents are never linked across waves.
    """
    salt = secrets.token_hex(16)
    return hash_ids(f"row:{salt}:" + rows.astype(str))
