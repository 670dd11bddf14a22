"""Text normalisation shared by every matcher: NFKC, trimmed, case-folded."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def norm(value: object) -> str:
    """NFKC + trim + casefold + single spaces: the form labels are compared in."""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return _SPACES.sub(" ", text).strip()


def match_key(value: object) -> str:
    """Like :func:`norm` but also ignores spacing, for matching names of skills and columns."""
    return _SPACES.sub("", norm(value))
