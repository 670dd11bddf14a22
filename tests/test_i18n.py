"""The message catalogue: every message the code shows has Japanese; numbers follow the language."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract, extract_from_dir

from schemas import i18n

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"t": None, "_": None, "translate": (1,)}


def messages_in_code() -> dict[str, str]:
    """Every literal passed to t(), _() or translate() in the app, pages and the read side, with where."""
    found: dict[str, str] = {}
    for folder in ("pages", "analytics", "schemas"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS):
            if isinstance(message, str):
                found.setdefault(message, f"{folder}/{filename}:{lineno}")
    with (ROOT / "app.py").open("rb") as fh:
        for lineno, message, _comments, _context in extract("python", fh, keywords=KEYWORDS):
            if isinstance(message, str):
                found.setdefault(message, f"app.py:{lineno}")
    return found


def test_every_message_has_japanese():
    ja = i18n.catalogue("ja")
    missing = {m: where for m, where in messages_in_code().items() if not ja.get(m)}
    assert not missing, f"no Japanese for {len(missing)} messages, e.g. {list(missing.items())[:5]}"


def test_catalogue_has_no_stale_entries():
    used = set(messages_in_code())
    stale = set(i18n.catalogue("ja")) - used
    assert not stale, f"ja.po has messages no code uses: {sorted(stale)[:10]}"


def test_unknown_language_falls_back_to_english():
    assert i18n.language("fr") == "en"
    assert i18n.language(None) == "en"
    assert i18n.translator("xx")("Some text") == "Some text"


def test_numbers_follow_the_language():
    assert i18n.share(0.8152866242038217, "en") == "81.5%"
    assert i18n.share(1.0, "ja") == "100.0%"
    assert i18n.share(None, "en") == "–"
    assert i18n.points(0.026, "en") == "+2.6 pp"
    assert i18n.points(-0.3153, "ja") == "−31.5ポイント"
    assert i18n.points(0.0, "en") == "±0.0 pp"
    assert i18n.count(12345, "en") == "12,345"
    assert i18n.count(12345, "ja") == "12,345"
