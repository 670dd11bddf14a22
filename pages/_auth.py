"""Who is here and what they may do. Sign-in fails closed: when in doubt, nobody gets in.

- Local mode (everyone an admin) only when no secrets file exists at all (Streamlit's
  ``secrets.files``: ~/.streamlit/secrets.toml and .streamlit/secrets.toml) and neither
  access.yaml's ``require_login`` nor $SKILLS_REQUIRE_LOGIN forbids it.
- A secrets file that exists must parse and hold a complete ``[auth]``; otherwise the app stops
  with one line naming the file (a byte-order mark from a Windows editor, a typo on another line,
  a missing key all count).
- A signed-in account gets the role access.yaml gives its address (schemas.config.email_key:
  exact, ASCII only), and none when the provider says ``email_verified`` is false.
- ``visitor()`` is computed afresh each call, so a callback that queries or writes checks
  ``allowed(page)`` itself: a role revoked since the page was drawn does nothing.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import streamlit as st
from pydantic import ValidationError

from analytics import access as access_mod
from schemas import config, settings

LOCAL_USER = "local"
# User-facing text of this module (kept together for the coming message catalogue).
MESSAGES = {
    "unreadable": "{file} cannot be read as TOML ({detail}), so sign-in can't be checked and the app stays closed. "
                  "Fix the file (save it as UTF-8 without a byte-order mark), or remove it to run in local mode.",
    "no_auth": "{file} exists but has no [auth] section, so sign-in is not configured and the app stays closed. "
               "Add [auth] (see README, Access control), or remove the file to run in local mode.",
    "incomplete": "{file}: the [auth] section is incomplete ({detail}), so the app stays closed. "
                  "See README, Access control.",
    "login_required": "Sign-in is required ({why}) but not configured: add an [auth] section to "
                      ".streamlit/secrets.toml (see README, Access control).",
    "bad_settings": "The access settings can't be read, so the app stays closed: {detail}",
    "revoked": "Your role no longer allows this, so nothing was done. Reload the page.",
}


@dataclass(frozen=True)
class Visitor:
    """mode: local (no sign-in configured), sign_in, or closed (``message`` says why)."""

    mode: Literal["local", "sign_in", "closed"]
    user: str = ""  # the signed-in address, or "local"
    role: str | None = None
    message: str = ""
    signed_in: bool = False


def secrets_files() -> list[Path]:
    """Where Streamlit looks for secrets (its ``secrets.files`` option)."""
    return [Path(p) for p in st.get_option("secrets.files")]


def _auth_from_files(files: list[Path]) -> tuple[Any, Path | None, str]:
    """([auth] as found, the file holding it, the message that closes the app or '')."""
    auth, source = None, None
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return None, path, MESSAGES["unreadable"].format(file=path, detail=detail)
        if "auth" in data:
            auth, source = data["auth"], path
    return auth, source, ""


def _auth_from_memory() -> Any:
    """[auth] set without a file (AppTest's at.secrets, a host that injects secrets)."""
    try:
        return st.secrets.to_dict().get("auth")
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):  # there are no secrets at all
        return None


def _gate(access: access_mod.Access) -> Visitor | None:
    """A closed or local Visitor, or None when sign-in is configured and complete."""
    present = [p for p in secrets_files() if p.is_file()]
    auth, source, problem = _auth_from_files(present)
    if problem:
        return Visitor("closed", message=problem)
    if auth is None and not present:
        auth = _auth_from_memory()
    if auth is None:
        if present:
            return Visitor("closed", message=MESSAGES["no_auth"].format(file=present[0]))
        why = [w for w, on in (("require_login in data/access.yaml", access.require_login),
                               ("SKILLS_REQUIRE_LOGIN", settings.env().require_login)) if on]
        if why:
            return Visitor("closed", message=MESSAGES["login_required"].format(why=" and ".join(why)))
        return Visitor("local", user=LOCAL_USER, role=access_mod.LOCAL_ROLE)
    try:
        config.AuthSection.model_validate(auth)
    except ValidationError as exc:
        detail = config.describe(exc, "[auth]").removeprefix("[auth]: ")
        return Visitor("closed", message=MESSAGES["incomplete"].format(file=source or "secrets", detail=detail))
    return None


def _verified(user: Any) -> bool:
    """False only when the provider states the address is not verified (absent: not stated)."""
    value = user.get("email_verified")
    return value is None or value is True or str(value).lower() == "true"


def visitor() -> Visitor:
    """Whoever is here now, from the files and the session's sign-in as they are at this moment."""
    try:
        access = access_mod.load()
        gate = _gate(access)
    except config.ConfigError as exc:
        return Visitor("closed", message=MESSAGES["bad_settings"].format(detail=exc))
    if gate is not None:
        return gate
    if not st.user.get("is_logged_in"):  # absent counts as signed out
        return Visitor("sign_in")
    email = str(st.user.get("email") or "")
    role = access.role_for(email) if _verified(st.user) else None
    return Visitor("sign_in", user=email, role=role, signed_in=True)


def allowed(page: str) -> bool:
    """May whoever is here now use ``page`` (a pages/ file stem)? For callbacks that query or write."""
    return page in access_mod.pages_for(visitor().role)
