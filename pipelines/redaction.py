"""The one email redaction, applied to every text before it is stored or echoed back.

An address is found in the NFKC form of the text, so full-width or small at-signs, dots and
letters (`ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ`) count like their ASCII forms, and a domain needs no dot
(`alice@localhost`, `bob@corp`). Text holding an address is returned in that NFKC form with each
address replaced by `<email>`; text without one is returned unchanged.
"""
from __future__ import annotations

import re
import unicodedata
from typing import overload

import pandas as pd

PLACEHOLDER = "<email>"
# The characters whose NFKC form holds "@" (tests/test_redaction.py checks every code point): a
# text without any of them can hold no address, which spares the normalisation for most cells.
AT_SIGNS = ("@", "\ufe6b", "\uff20")
# Bounded repeats: an unbounded local part backtracks quadratically on a long cell with no "@".
# No quote in the local part, so a quoted address in SQL text keeps its quotes ('<email>').
_EMAIL = re.compile(r"[\w.!#$%&*+/=?^`{|}~-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}")


@overload
def redact(value: str) -> str: ...
@overload
def redact(value: object) -> object: ...
def redact(value: object) -> object:
    """`value` with every email address replaced by <email>; non-text values pass through."""
    if not isinstance(value, str) or not any(sign in value for sign in AT_SIGNS):
        return value
    folded = unicodedata.normalize("NFKC", value)
    redacted, found = _EMAIL.subn(PLACEHOLDER, folded)
    return redacted if found else value


def redact_column(values: pd.Series) -> pd.Series:
    """`redact` over a column, once per distinct value."""
    distinct = values.dropna().unique()
    redacted = {v: redact(v) for v in distinct}
    if all(new is old for old, new in redacted.items()):  # no email in it: nothing to map
        return values
    return values.map(redacted)
