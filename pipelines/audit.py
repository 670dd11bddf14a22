"""The audit log: who loaded, deleted, changed a profile or queried, and when.

Loads and deletions are recorded inside their own transaction (so the log can't disagree with
the data); other events take the writer briefly on their own. Targets and details are redacted
(pipelines.redaction) like every stored text; the actor is stored in the configured form
(`stored_actor`).
"""
from __future__ import annotations

import getpass
import hmac

import duckdb

from pipelines import config, identity
from pipelines import db as dbmod
from pipelines.redaction import redact
from pipelines.text import norm

MAX_DETAIL = 4000
LOCAL = "local"  # the app without sign-in: a mode, not a person, so stored as is in every form
CLI_ROLE = "cli"
PSEUDONYM_LABEL = b"skills-survey audit actor v1\x00"  # keeps actor pseudonyms apart from respondent ids


def stored_actor(user: str | None, role: str | None) -> str:
    """`user` (an email, or an OS login name) as config.actor_form() says to store it."""
    if not user:
        return "unknown"
    if user == LOCAL:
        return LOCAL
    form = config.actor_form()
    if form == "email":
        return user
    if form == "role":
        return role or "unknown"
    digest = hmac.new(identity.secret_key(), PSEUDONYM_LABEL + norm(user).encode("utf-8"), "sha256")
    return f"staff-{digest.hexdigest()[:12]}"


def command_line_actor() -> str:
    """Whoever runs a command: their OS login name, in the configured form with the role 'cli'."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = None
    return stored_actor(user, CLI_ROLE)


def record_in(con: duckdb.DuckDBPyConnection, actor: str | None, action: str, target: object = None,
              detail: str | None = None) -> None:
    """Append an event using an open (write) connection, inside the caller's transaction."""
    con.execute("INSERT INTO audit_log (actor, action, target, detail) VALUES (?, ?, ?, ?)",
                [actor or "unknown", action, None if target is None else redact(str(target)),
                 None if detail is None else redact(detail)[:MAX_DETAIL]])


def record(db: str | None, actor: str | None, action: str, target: object = None, detail: str | None = None) -> None:
    """Append an event on its own (waits for any running load, like every writer)."""
    with dbmod.writer(db) as con:
        record_in(con, actor, action, target, detail)
