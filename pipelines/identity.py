"""Respondent ids: a keyed hash (HMAC-SHA256) of the normalised email or employee id.

The key lives outside the database and the repository (see pipelines.config.secret_path) and
is created on first use, so the same person gets the same id in every wave while the database
alone can't be used to recover or confirm anyone's email.
"""
from __future__ import annotations

import hmac
import os
import secrets

import numpy as np
import pandas as pd

from pipelines import errors
from pipelines.config import secret_path
from pipelines.text import norm


def secret_key() -> bytes:
    path = secret_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write a private temp file, then hard-link it into place: the key appears whole or not at all,
        # and when two loaders start at once the second link fails and both use the first key.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise errors.Plain(f"the respondent id key at {path} is damaged (too short)")
    return key.encode("ascii")


def hash_ids(values: pd.Series) -> pd.Series:
    """One id per value: the HMAC of its `norm` form (NFKC, case-folded, single spaces).

    Each distinct raw value is normalised and hashed once, in one plain loop over Python strings
    (at 100,000 respondents a third of the time pandas' string methods and a dict map take). The
    key goes into one HMAC object, copied for each value: cheaper than keying `hmac.digest` anew.
    """
    keyed = hmac.new(secret_key(), digestmod="sha256")
    codes, distinct = pd.factorize(values.astype("str"), sort=False)  # 1 and "1" alike, as text
    digests = []
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
