"""The message catalogue: every user-facing text in English and Japanese, and locale-aware numbers.

English text is the message id (gettext's convention), so code reads naturally and an untranslated
message still shows in English. The Japanese catalogue is ``data/locales/ja.po``, a gettext PO
file read with Babel; ``tests/test_i18n.py`` extracts every ``t("...")`` / ``_("...")`` literal
from the code and fails when one has no Japanese.

Pages get a translator for the session's language with ``translator(lang)``; placeholders are
``str.format`` fields, so the translation can move them: ``t("{n} people").format(n=12)``.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("en", "ja")
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "data" / "locales"


def language(value: object) -> str:
    """A supported language code for whatever came from the URL or the session (else English)."""
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid -> translation for one language; English needs none."""
    if lang == DEFAULT_LANGUAGE:
        return {}
    with (LOCALE_DIR / f"{lang}.po").open("rb") as fh:
        cat = read_po(fh, locale=lang)
    return {str(m.id): str(m.string) for m in cat if m.id and m.string and not m.fuzzy}


def translate(message: str, lang: str) -> str:
    return catalogue(language(lang)).get(message, message)


def translator(lang: str) -> Callable[[str], str]:
    """``t(message)`` in ``lang``: what a page calls for each text it shows."""
    table = catalogue(language(lang))
    return lambda message: table.get(message, message)


def _locale(lang: str) -> Locale:
    return Locale.parse({"en": "en_US", "ja": "ja_JP"}[language(lang)])


def count(n: int | float, lang: str) -> str:
    """A whole number with the language's grouping: 12,345."""
    return format_decimal(int(n), locale=_locale(lang))


def share(x: float | None, lang: str, decimals: int = 1) -> str:
    """A share as a percentage with a fixed number of decimals (87.5%); '–' when there is none."""
    if x is None or x != x:  # None or NaN
        return "–"
    return format_decimal(100 * x, format="#,##0." + "0" * decimals, locale=_locale(lang)) + "%"


def points(d: float | None, lang: str, decimals: int = 1) -> str:
    """A difference of two shares in percentage points, always signed: +2.6 pp / +2.6ポイント."""
    if d is None or d != d:
        return "–"
    value = format_decimal(abs(100 * d), format="#,##0." + "0" * decimals, locale=_locale(lang))
    sign = "+" if d > 0 else "−" if d < 0 else "±"
    return sign + value + translate(" pp", lang)
