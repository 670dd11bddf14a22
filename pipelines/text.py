"""Text normalisation shared by every matcher: NFKC, trimmed, case-folded."""
from __future__ import annotations

import unicodedata


def norm(value: object) -> str:
    """NFKC + trim + casefold + single spaces: the form labels are compared in.

    `str.split()` with no argument splits on runs of exactly the characters regex `\\s` matches
    (tests/test_text.py checks every code point), and leaves no space at either end.
    """
    return " ".join(unicodedata.normalize("NFKC", str(value)).casefold().split())


def match_key(value: object) -> str:
    """Like :func:`norm` but also ignores spacing, for matching names of skills and columns."""
    return "".join(norm(value).split())
