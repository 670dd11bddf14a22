"""Proficiency answers -> levels 0-4: numbers on a declared scale, or text labels."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
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


# --- Scales detected from a question's distinct answers ------------------------------------------
# One rule maps every ordered scale onto 0-4: point i of n points is level round(i * 4 / (n - 1))
# (numbers: (x - low) * 4 / (high - low)). The product's own level names (levels.yaml) mean their
# level directly. `detect_scale` returns the answer -> level table it read, which the profile
# states and the upload page shows for HR to change.

NOT_APPLICABLE = ["n/a", "na", "not applicable", "don't know", "do not know", "prefer not to say",
                  "該当なし", "わからない", "分からない"]
NUMERIC_ENDS = (3, 4, 5, 6, 7, 10)  # the top ends survey tools offer; an answer beyond 10 is no rating
_STATED_POINTS = re.compile(r"(\d+)\s*[=:＝]")  # "1 = no experience, 5 = expert"
_STATED_RANGE = re.compile(r"(?<![\d.])(\d+)\s*(?:-|–|〜|~|to)\s*(\d+)(?![\d.])")  # "(1-5)", "1 to 10"
_LEADING_NUMBER = re.compile(r"^([+-]?\d+)(?:\.0+)?(?:\s*(?:[-:.)(=–]|\s)\s*(\D.*))?$")


@dataclass
class Scale:
    """The scale a rating question's answers were read on."""

    kind: str  # numeric | labelled numbers | levels | <a set name from data/scales.yaml>
    points: dict[str, int]  # each distinct answer as written -> its level
    scale: tuple[int, int] | None = None  # numeric ends, so unseen numbers place the same way
    not_applicable: list[str] = field(default_factory=list)  # answers that are no rating
    warning: str | None = None  # set when the scale is a guess someone should confirm

    def describe(self) -> str:
        if self.scale:
            return f"{self.kind} {self.scale[0]}-{self.scale[1]}"
        return self.kind


@lru_cache(maxsize=1)
def scale_sets() -> dict[str, list[str]]:
    data = config.load(config.ScaleSets, settings.SCALES, missing_ok=True)
    return {name: [norm(label) for label in labels] for name, labels in data.sets.items()}


def linear(i: float, low: float, high: float) -> int:
    return int(round((i - low) * 4 / (high - low)))


def stated_scale(header: str) -> tuple[int, int] | None:
    """The numeric scale a header states: "1 = no experience, 5 = expert", "(1-5)", "1 to 10"."""
    points = [int(n) for n in _STATED_POINTS.findall(header)]
    if len(points) >= 2 and min(points) < max(points):
        return min(points), max(points)
    for low, high in _STATED_RANGE.findall(header):
        if int(low) in (0, 1) and int(high) in NUMERIC_ENDS:
            return int(low), int(high)
    return None


def detect_scale(answers: list[str], header: str = "", min_points: int = 3, min_share: float = 0.75) -> Scale | None:
    """The scale of a rating question from its distinct answers (and its header), or None when the
    answers are no rating scale (free text, yes/no, names).

    The scale is read from the answers that look like ratings (whole numbers 0-10, or labels of a
    known scale) when they are at least `min_share` of the distinct answers; the others are no
    level and become row problems. Numbers need `min_points` distinct values to be a scale (fewer
    are a pick or a count) unless the header states the scale."""
    written = list(dict.fromkeys(a.strip() for a in answers if a and a.strip()))
    na = [a for a in written if norm(a) in NOT_APPLICABLE]
    rated = [a for a in written if a not in na]
    stated = stated_scale(header)
    top = stated[1] if stated else max(NUMERIC_ENDS)
    # Every whole number counts as meant for a rating; those outside 0..10 (or a stated scale)
    # place no end: they map outside 0-4 and are reported, never moved into range.
    numbers = {a: m for a in rated if (m := _LEADING_NUMBER.match(norm(a)))}
    numbered = {a: m for a, m in numbers.items() if 0 <= int(m.group(1)) <= top}
    known = set(default_labels()).union(*scale_sets().values())
    labelled = [a for a in rated if norm(a) in known]
    if len(labelled) > len(numbers) and len(labelled) < min(min_points, 2):
        return None  # one known word ("None") is an option, not a scale
    readable = max(len(numbers), len(labelled))
    if not readable or readable < min_share * len(rated):
        return None
    if len(numbers) >= len(labelled):
        if not numbered:
            return None
        return _numeric({a: int(m.group(1)) for a, m in numbered.items()},
                        any(m.group(2) for m in numbered.values()), stated, na, min_points)
    return _labelled(labelled, na)


def _numeric(numbers: dict[str, int], labelled: bool, stated: tuple[int, int] | None, na: list[str],
             min_points: int) -> Scale | None:
    seen_low, seen_high = min(numbers.values()), max(numbers.values())
    warning = None
    if stated:
        low, high = stated
    else:
        if len(set(numbers.values())) < min_points:
            return None  # 0/1, 1/2 or a count: a pick or a number, not a rating
        low = 0 if seen_low == 0 else 1
        high = next(end for end in NUMERIC_ENDS if end >= seen_high)
        if len(set(numbers.values())) < 3 and seen_high <= 4:
            low, high = 0, 4  # too few answers to see the ends: the product's own scale
        if (low, high) == (1, 4) or seen_low > low or len(set(numbers.values())) < 3:
            warning = (f"the answers run {seen_low}-{seen_high}, read as a {low}-{high} scale; if the "
                       "survey's scale is another, choose it in the mapping (scale: in the profile)")
    points = {a: linear(n, low, high) for a, n in numbers.items()}
    kind = "labelled numbers" if labelled else "numeric"
    return Scale(kind, points, (low, high), na, warning)


def _labelled(rated: list[str], na: list[str]) -> Scale | None:
    keys = {a: norm(a) for a in rated}
    levels = default_labels()
    by_levels = {a: levels[k] for a, k in keys.items() if k in levels}
    covering = sorted((len(s), name) for name, s in scale_sets().items() if set(keys.values()) <= set(s))
    distinct_levels = len(set(by_levels.values())) == len(set(keys.values()))
    if len(by_levels) == len(rated) and (distinct_levels or not covering):
        return Scale("levels", by_levels, None, na)
    if covering:
        name = covering[0][1]
        order = scale_sets()[name]
        return Scale(name, {a: linear(order.index(k), 0, len(order) - 1) for a, k in keys.items()}, None, na)
    return None
