"""Roles and what each may open: data/access.yaml (schemas.config.AccessFile), checked by the app
shell for every page and again inside every callback that queries or writes.

viewer: the dashboards; hr: + upload and delete; analyst: + SQL console; admin: everything.
``console_rows`` says per role what the SQL console reads (analytics.console_tiers): respondent
(pseudonymous respondent rows) or aggregate (k-safe views only).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from schemas import config, settings
from schemas.config import ROLES as ROLE_ORDER
from schemas.config import ConfigError as AccessError
from schemas.config import email_key

DASHBOARDS = frozenset({"overview", "coverage", "cloud", "trends", "radar"})
PAGES_BY_ROLE = {
    "viewer": DASHBOARDS,
    "hr": DASHBOARDS | {"upload"},
    "analyst": DASHBOARDS | {"sql_console"},
    "admin": DASHBOARDS | {"upload", "sql_console"},
}
LOCAL_ROLE = "admin"
CONSOLE_TIERS = ("respondent", "aggregate")  # analytics.console_tiers.TIERS
# Respondent rows are a privilege: admins have it unless withdrawn, analysts only when granted.
DEFAULT_CONSOLE_ROWS = {"admin": "respondent", "analyst": "aggregate"}

__all__ = ["ROLE_ORDER", "Access", "AccessError", "access_file", "can_write", "load", "pages_for"]


@dataclass(frozen=True)
class Access:
    require_login: bool = False
    default_role: str | None = None
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    console_rows: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CONSOLE_ROWS))

    def console_tier(self, role: str | None) -> str:
        """What ``role`` reads in the SQL console; aggregate for a role without an entry."""
        return self.console_rows.get(role or "", "aggregate")

    def role_for(self, email: str | None) -> str | None:
        """The role of a signed-in address: an exact entry, then its @domain, then the default.

        Matching is exact on the ASCII-lowercased address; an address with any non-ASCII
        character gets no role at all (see schemas.config.email_key), default included.
        """
        key = email_key(email)
        if key is None:
            return None
        domain = "@" + key.rsplit("@", 1)[1]
        for wanted in (key, domain):
            for role in ROLE_ORDER:
                if wanted in self.roles.get(role, ()):
                    return role
        return self.default_role


def access_file() -> Path:
    return settings.access_file()


def load(path: Path | None = None) -> Access:
    """The access settings; no file means local defaults (no roles, sign-in optional)."""
    data = config.load(config.AccessFile, path or access_file(), missing_ok=True)
    return Access(data.require_login, data.default_role, {role: tuple(e) for role, e in data.roles.items()},
                  {**DEFAULT_CONSOLE_ROWS, **{str(r): str(t) for r, t in data.console_rows.items()}})


def pages_for(role: str | None) -> frozenset[str]:
    """Page names (file stems under pages/) the role may open."""
    return PAGES_BY_ROLE.get(role or "", frozenset())


def can_write(role: str | None) -> bool:
    return role in ("hr", "admin")
