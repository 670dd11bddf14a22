"""Cloud provider answers -> AWS, GCP, Azure, Other or None."""
from __future__ import annotations

import re

from pipelines.text import norm

PROVIDER_VALUES = ("AWS", "GCP", "Azure", "Other", "None")

# Names that clearly mean one provider (checked on the normalised answer).
_EXACT = {
    "aws": "AWS", "amazon web services": "AWS", "amazon web services (aws)": "AWS", "amazon": "AWS",
    "gcp": "GCP", "google cloud": "GCP", "google cloud platform": "GCP", "google cloud platform (gcp)": "GCP",
    "google cloud (gcp)": "GCP", "azure": "Azure", "microsoft azure": "Azure", "ms azure": "Azure",
    "other": "Other", "others": "Other", "その他": "Other",
    "none": "None", "なし": "None", "無し": "None", "no cloud": "None", "n/a": "None",
}
_PATTERNS = [
    (re.compile(r"\baws\b|amazon web services"), "AWS"),
    (re.compile(r"\bgcp\b|google cloud"), "GCP"),
    (re.compile(r"\bazure\b"), "Azure"),
    (re.compile(r"^none\b|^なし"), "None"),
]


def known_provider(answer: str) -> str | None:
    """The provider an answer names for sure, else None (used to recognise cloud columns)."""
    key = norm(answer)
    if key in _EXACT:
        return _EXACT[key]
    for pattern, provider in _PATTERNS:
        if pattern.search(key):
            return provider
    return None


def to_provider(answer: str, overrides: dict[str, str] | None = None) -> str:
    """Any answer of a cloud question: a named provider, else Other (IBM, Oracle, Alibaba ...)."""
    if overrides:
        key = norm(answer)
        for label, provider in overrides.items():
            if norm(label) == key:
                return provider
    return known_provider(answer) or "Other"
