"""Roles and what each may open: data/access.yaml, checked by app.py for every page.

viewer: the dashboards; hr: + upload and delete; analyst: + SQL console; admin: everything.
``console_rows`` says per role what the SQL console reads (analytics.console_tiers): respondent
(pseudonymous respondent rows) or aggregate (k-safe views only).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.config import DATA_DIR

ACCESS_FILE = DATA_DIR / "access.yaml"
ROLE_ORDER = ("admin", "hr", "analyst", "viewer")
DASHBOARDS = frozenset({"overview", "coverage", "cloud", "trends"})
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


class AccessError(ValueError):
    """data/access.yaml is wrong; the message names the key."""


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
        """The role of a signed-in email: an exact entry, then its @domain, then the default."""
        if not email:
            return None
        email = email.strip().casefold()
        domain = "@" + email.rsplit("@", 1)[-1] if "@" in email else None
        for wanted in (email, domain):
            for role in ROLE_ORDER:
                if wanted and wanted in self.roles.get(role, ()):
                    return role
        return self.default_role


def access_file() -> Path:
    return Path(os.environ.get("SKILLS_ACCESS_FILE") or ACCESS_FILE)


def load(path: Path | None = None) -> Access:
    path = path or access_file()
    if not path.exists():
        return Access()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise AccessError(f"{path.name} is not valid YAML: {str(exc).splitlines()[0]}") from exc
    default = data.get("default_role")
    if default is not None and default not in ROLE_ORDER:
        raise AccessError(f"default_role must be one of {', '.join(ROLE_ORDER)} or null, got {default!r}")
    roles = {}
    for role, entries in (data.get("roles") or {}).items():
        if role not in ROLE_ORDER:
            raise AccessError(f"roles.{role}: unknown role (known: {', '.join(ROLE_ORDER)})")
        roles[role] = tuple(str(e).strip().casefold() for e in (entries or []))
    console_rows = dict(DEFAULT_CONSOLE_ROWS)
    given = data.get("console_rows") or {}
    if not isinstance(given, dict):
        raise AccessError("console_rows must map admin / analyst to respondent or aggregate")
    for role, tier in given.items():
        if role not in ("admin", "analyst") or tier not in CONSOLE_TIERS:
            raise AccessError(f"console_rows.{role}: must be admin or analyst set to respondent or aggregate, "
                              f"got {tier!r}")
        console_rows[role] = tier
    return Access(bool(data.get("require_login", False)), default, roles, console_rows)


def pages_for(role: str | None) -> frozenset[str]:
    """Page names (file stems under pages/) the role may open."""
    return PAGES_BY_ROLE.get(role or "", frozenset())


def can_write(role: str | None) -> bool:
    return role in ("hr", "admin")
