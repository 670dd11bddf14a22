"""The audit log: who loaded, deleted, changed a profile or queried, and when.

Loads and deletions are recorded in the database's audit_log inside their own transaction (so
the log can't disagree with the data). Everything else (SQL console queries, profile saves) is
appended to the audit store beside the database (common.audit_store), so recording it never
takes the database's writer lock. ``python -m analytics.audit`` shows both. Targets and details
are redacted (pipelines.redaction) like every stored text; the actor is stored in the configured
form (`stored_actor`).
"""
from __future__ import annotations

import getpass
import hmac

import duckdb

from common import audit_store
from pipelines import identity
from pipelines.redaction import redact
from pipelines.text import norm
from schemas import settings

MAX_DETAIL = audit_store.MAX_DETAIL
LOCAL = "local"  # the app without sign-in: a mode, not a person, so stored as is in every form
CLI_ROLE = "cli"
PSEUDONYM_LABEL = b"skills-survey audit actor v1\x00"  # keeps actor pseudonyms apart from respondent ids


def stored_actor(user: str | None, role: str | None) -> str:
    """`user` (an email, or an OS login name) as settings.actor_form() says to store it."""
    if not user:
        return "unknown"
    if user == LOCAL:
        return LOCAL
    form = settings.actor_form()
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
    """Append an event that is not part of a database write, to the audit store of ``db``."""
    audit_store.append(settings.audit_path(db), actor, action, None if target is None else redact(str(target)),
                       None if detail is None else redact(detail))
