"""Proficiency answers -> levels 0-4: numbers on a declared scale, or text labels."""
from __future__ import annotations

import re
from functools import lru_cache

from pipelines.text import norm
from schemas import config, settings

LEVEL_NAMES = {0: "none", 1: "aware", 2: "basic", 3: "proficient", 4: "expert"}
# "3", "3.0", "3 - Proficient", "3: proficient", "3) proficient"; not "2.5" (a fraction is no level).
_NUMBER = re.compile(r"^([+-]?\d+(?:\.0+)?)(?:\s*[-:.)]\s*\D.*)?$")


@lru_cache(maxsize=1)
def default_labels() -> dict[str, int]:
    data = config.load(config.Levels, settings.LEVELS).root
    return {norm(label): level for level, labels in data.items() for label in labels}


def label_map(extra: dict[str, int], replace: bool = False) -> dict[str, int]:
    base = {} if replace else dict(default_labels())
    base.update({norm(k): int(v) for k, v in extra.items()})
    return base


def to_level(token: str, labels: dict[str, int], scale: tuple[int, int]) -> int | None:
    """The level an answer means, or None when it is not an answer we understand.

    A number is placed linearly from the declared scale onto 0-4 (1-5 -> 0-4); a number outside
    the scale maps outside 0-4 on purpose, so validation reports it as out of range rather than
    it being silently clipped. One so far outside that no level column could hold it (beyond
    -128..127, e.g. a typo'd "200") is no answer either: its row is reported, not the whole file
    refused. "3 - Proficient" style answers are read by their number.
    """
    key = norm(token)
    if key in labels:
        return labels[key]
    number = _NUMBER.match(key)
    if number:
        low, high = scale
        scaled = (float(number.group(1)) - low) * 4 / (high - low)
        # rounds into -128..127 (half to even); a 400-digit number is inf here, which round() can't take
        return int(round(scaled)) if -128.5 <= scaled < 127.5 else None
    return None


def describe_labels(labels: dict[str, int]) -> str:
    shown: dict = {}
    for label, level in labels.items():
        shown.setdefault(level, label)
    return "/".join(shown[k] for k in sorted(shown))
