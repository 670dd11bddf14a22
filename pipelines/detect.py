"""Work out a profile for a file that came without one.

A wide grid ingests by itself when its skill columns are named by taxonomy skills (en or ja,
aliases too); standard columns are found by their usual headers; a cloud column is one whose
header mentions the cloud and whose answers all name providers; a learning column is one whose
header mentions learning and whose answers name skills.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from pipelines.headers import Column, Sheet, split_headers
from pipelines.profile import Profile, Question, Selector
from pipelines.providers import known_provider
from pipelines.read_file import RawTable
from pipelines.taxonomy import Taxonomy
from pipelines.text import match_key, norm

STANDARD_HEADERS = {
    "id": ["email", "email address", "e-mail", "e-mail address", "mail", "メールアドレス", "employee id",
           "employee number", "社員番号", "respondent id", "respondentid", "user id"],
    "team": ["team", "department", "dept", "division", "チーム", "部署", "所属", "部門"],
    "role": ["role", "job title", "title", "position", "職種", "役職", "職位"],
    "location": ["location", "office", "site", "country", "拠点", "勤務地", "所在地"],
    "submitted_at": ["timestamp", "タイムスタンプ", "submitted at", "submitted", "completion time", "end date",
                     "submission time", "回答日時", "完了時刻"],
}
CLOUD_WORDS = ("cloud", "クラウド")
LEARN_WORDS = ("learn", "学び", "学習", "学びたい")
LONG_SKILL = ["skill", "スキル", "skill name", "技術"]
LONG_LEVEL = ["level", "レベル", "proficiency", "習熟度", "rating"]
SPLIT = re.compile(r"\s*[;,]\s*")


@dataclass
class Detection:
    profile: Profile
    matched: dict[str, str] = field(default_factory=dict)  # column label -> what it became
    unmatched: list[str] = field(default_factory=list)
    suggestions: dict[str, tuple[str, float]] = field(default_factory=dict)  # label -> (skill_id, score)


def guess_header_rows(raw: RawTable) -> tuple[int, str]:
    """(header rows, style): SurveyMonkey's option row, a code row over question texts, or one row."""
    if raw.n_records < 3:
        return 1, "stacked"
    first, second = raw.rows.slice(0, 2).to_pylist()
    second_values = [v.strip() for v in second.values()]
    first_values = [v.strip() for v in first.values()]
    if sum(v.lower() == "response" for v in second_values) >= 1 and sum(not v for v in first_values) >= len(first_values) // 4:
        return 2, "surveymonkey"
    codes = sum(bool(re.fullmatch(r"Q\d+[\w-]*|[A-Za-z_][\w.]{0,30}", v)) for v in first_values if v)
    long_text = sum(len(v) > 40 for v in second_values)
    if codes >= 0.8 * len(first_values) and long_text >= 0.3 * len(second_values):
        return 2, "stacked"
    return 1, "stacked"


def _distinct(sheet: Sheet, col: Column, limit: int = 200) -> list[str]:
    values = pc.unique(sheet.data[col.key]).to_pylist()
    return [v for v in values if v and v.strip()][:limit]


def _standard(col: Column) -> str | None:
    for name in {norm(col.code), norm(col.text)}:
        for field_name, headers in STANDARD_HEADERS.items():
            if name in headers:
                return field_name
    return None


def auto_profile(raw: RawTable, taxonomy: Taxonomy) -> Detection:
    header_rows, style = guess_header_rows(raw)
    sheet = split_headers(raw, header_rows, style)
    profile = Profile(name="auto-detected", header_rows=header_rows, header_style=style)
    det = Detection(profile)
    lookup = taxonomy.lookup()
    rating: dict[str, str] = {}
    for col in sheet.columns:
        std = _standard(col)
        if std and std not in profile.fields:
            profile.fields[std] = Selector([col.code])
            det.matched[col.label] = std
            continue
        skill = lookup.get(match_key(col.option)) if col.option else None
        skill = skill or lookup.get(match_key(col.code))
        if skill:
            rating[col.code] = skill
            det.matched[col.label] = f"skill rating: {skill}"
            continue
        header = norm(col.text)
        values = _distinct(sheet, col)
        if any(w in header for w in CLOUD_WORDS) and values:
            tokens = [t for v in values for t in SPLIT.split(v) if t]
            if tokens and all(known_provider(t) for t in tokens):
                joined = any(len(SPLIT.split(v)) > 1 for v in values)
                sep = ";" if any(";" in v for v in values) else ","
                profile.questions.append(Question(
                    kind="cloud", columns=Selector([col.code]), name=col.code,
                    cloud_kind="uses" if joined else "preferred", separator=sep if joined else None,
                ))
                det.matched[col.label] = f"cloud preference ({'uses' if joined else 'preferred'})"
                continue
        if any(w in header for w in LEARN_WORDS) and values:
            tokens = [t for v in values for t in re.split(r"\s*;\s*", v) if t]
            if tokens and sum(match_key(t) in lookup for t in tokens) >= 0.8 * len(tokens):
                profile.questions.append(Question(kind="interest", columns=Selector([col.code]), name=col.code,
                                                  separator=";"))
                det.matched[col.label] = "learning interest"
                continue
        det.unmatched.append(col.label)
    if rating:
        profile.questions.insert(0, Question(kind="rating", columns=Selector(list(rating)), name="skill ratings",
                                             skills=rating))
    else:
        _maybe_long(sheet, profile, det)
    _suggest(det, sheet, taxonomy)
    return det


def _maybe_long(sheet: Sheet, profile: Profile, det: Detection) -> None:
    """One row per respondent x skill: a skill column and a level column."""
    names = {norm(c.code): c for c in sheet.columns}
    skill = next((names[n] for n in LONG_SKILL if n in names), None)
    level = next((names[n] for n in LONG_LEVEL if n in names), None)
    if skill and level and "id" in profile.fields:
        profile.layout, profile.long_skill, profile.long_level = "long", skill.code, level.code
        for col in (skill, level):
            det.matched[col.label] = "long layout " + ("skill" if col is skill else "level")
            if col.label in det.unmatched:
                det.unmatched.remove(col.label)


def _suggest(det: Detection, sheet: Sheet, taxonomy: Taxonomy) -> None:
    """Fuzzy guesses for unmatched columns, for a person to confirm (never applied silently)."""
    choices = dict(zip(taxonomy.aliases["alias_key"], taxonomy.aliases["skill_id"], strict=True))
    by_label = {c.label: c for c in sheet.columns}
    for label in det.unmatched:
        col = by_label.get(label)
        if col is None:
            continue
        name = match_key(col.option or col.code)
        if len(name) < 2:
            continue
        best = process.extractOne(name, choices.keys(), scorer=fuzz.ratio, score_cutoff=80)
        if best:
            det.suggestions[label] = (choices[best[0]], round(best[1], 1))
