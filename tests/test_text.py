"""pipelines.text: the normal form every matcher (and every respondent id) is built on.

The oracle is the definition written with a regular expression: NFKC, case-folded, runs of
whitespace (regex ``\\s``) made one space, trimmed. A respondent's id is the HMAC of this form, so
it must not drift by a single character.
"""
from __future__ import annotations

import re
import sys
import unicodedata

import pytest

from pipelines.text import match_key, norm

_SPACES = re.compile(r"\s+")


def oracle(value: object) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value)).casefold()).strip()


def test_whitespace_is_the_same_set_as_regex_s():
    """str.split() and regex \\s agree on every code point (0x1c-0x1f, NBSP, ideographic space...)."""
    differ = [c for c in range(sys.maxunicode + 1) if (len(f"a{chr(c)}b".split()) == 2) != bool(_SPACES.fullmatch(chr(c)))]
    assert differ == []


@pytest.mark.parametrize("value", [
    "Ann@Example.com", "  two   spaces\tand\ttabs  ", "\u3000全角\u3000スペース\u3000", "ﬁnance ＦＵＬＬ", "STRASSE straße",
    "\x1c\x1dseparators\x1e\x1f", "nbsp\u00a0here\u2003em", "zero\u200bwidth", "", " ", "\n\r\n", 42, 3.5, None,
    "ΣΊΣΥΦΟΣ", "İstanbul",
])
def test_norm_and_match_key_match_the_definition(value):
    assert norm(value) == oracle(value)
    assert match_key(value) == _SPACES.sub("", oracle(value))


def test_norm_examples_by_hand():
    assert norm("  Ann@Example.COM ") == "ann@example.com"
    assert norm("Ｂｏｂ\u3000Smith") == "bob smith"
    assert match_key(" Amazon  EC2 ") == "amazonec2"
