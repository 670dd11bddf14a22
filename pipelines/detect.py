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
ROLES = ["ignore", "id", "team", "role", "location", "submitted_at", "skill_rating", "skill_picked",
         "cloud_preferred", "cloud_uses", "learning_interest", "long_skill", "long_level"]


@dataclass
class ColumnGuess:
    """What one column seems to be; the upload page's mapping editor shows and edits these."""

    column: str  # the header code, as profiles name columns
    label: str  # what to show a person
    role: str  # one of ROLES
    skill: str | None = None  # skill_rating: the skill the column rates
    confidence: float = 0.0  # 1.0 exact name match, a fuzzy score below that, 0 unknown
    sample: str = ""  # a few distinct answers, to help a person decide
    separator: str | None = None


@dataclass
class Detection:
    profile: Profile
    columns: list[ColumnGuess] = field(default_factory=list)
    sheet: Sheet | None = None  # the file split as the profile says (reused by the pipeline)

    @property
    def unmatched(self) -> list[str]:
        return [c.label for c in self.columns if c.role == "ignore"]

    @property
    def suggestions(self) -> dict[str, tuple[str, float]]:
        return {c.label: (c.skill, round(c.confidence * 100, 1)) for c in self.columns
                if c.role == "ignore" and c.skill}


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


def _distinct(sheet: Sheet, col: Column, limit: int = 200, rows: int = 5000) -> list[str]:
    """Distinct answers among the first `rows` responses: enough to tell what a column is."""
    values = pc.unique(sheet.data[col.key].slice(0, rows)).to_pylist()
    return [v for v in values if v and v.strip()][:limit]


def _id_rank(col: Column) -> int:
    names = {norm(col.code), norm(col.text)}
    order = STANDARD_HEADERS["id"]
    return min(order.index(n) for n in names if n in order)


def _standard(col: Column) -> str | None:
    for name in {norm(col.code), norm(col.text)}:
        for field_name, headers in STANDARD_HEADERS.items():
            if name in headers:
                return field_name
    return None


def guess_columns(sheet: Sheet, taxonomy: Taxonomy) -> list[ColumnGuess]:
    lookup = taxonomy.lookup()
    guesses, taken = [], set()
    # The person's id: an email beats an employee number beats a survey tool's per-response id
    # (which differs in every wave and so can't link a person across waves).
    ids = [c for c in sheet.columns if _standard(c) == "id"]
    best_id = min(ids, key=lambda c: _id_rank(c)) if ids else None
    for col in sheet.columns:
        values = _distinct(sheet, col)
        guess = ColumnGuess(col.code, col.label, "ignore", sample=" | ".join(values[:4])[:120])
        guesses.append(guess)
        std = _standard(col)
        if std == "id" and col is not best_id:
            continue
        if std and std not in taken:
            taken.add(std)
            guess.role, guess.confidence = std, 1.0
            continue
        skill = (lookup.get(match_key(col.option)) if col.option else None) or lookup.get(match_key(col.code))
        if skill:
            guess.role, guess.skill, guess.confidence = "skill_rating", skill, 1.0
            continue
        header = norm(col.text)
        if any(w in header for w in CLOUD_WORDS) and values:
            tokens = [t for v in values for t in SPLIT.split(v) if t]
            if tokens and all(known_provider(t) for t in tokens):
                joined = any(len(SPLIT.split(v)) > 1 for v in values)
                guess.role = "cloud_uses" if joined else "cloud_preferred"
                guess.separator = (";" if any(";" in v for v in values) else ",") if joined else None
                guess.confidence = 1.0
                continue
        if any(w in header for w in LEARN_WORDS) and values:
            tokens = [t for v in values for t in re.split(r"\s*;\s*", v) if t]
            if tokens and sum(match_key(t) in lookup for t in tokens) >= 0.8 * len(tokens):
                guess.role, guess.separator, guess.confidence = "learning_interest", ";", 1.0
                continue
    _suggest(guesses, sheet, taxonomy)
    return guesses


def auto_profile(raw: RawTable, taxonomy: Taxonomy) -> Detection:
    header_rows, style = guess_header_rows(raw)
    sheet = split_headers(raw, header_rows, style)
    guesses = guess_columns(sheet, taxonomy)
    profile = profile_from_guesses(guesses, Profile(name="auto-detected", header_rows=header_rows,
                                                    header_style=style))
    if not any(q.kind == "rating" for q in profile.questions):
        _maybe_long(sheet, profile, guesses)
    return Detection(profile, guesses, sheet)


def _maybe_long(sheet: Sheet, profile: Profile, guesses: list[ColumnGuess]) -> None:
    """One row per respondent x skill: a skill column and a level column."""
    names = {norm(c.code): c for c in sheet.columns}
    skill = next((names[n] for n in LONG_SKILL if n in names), None)
    level = next((names[n] for n in LONG_LEVEL if n in names), None)
    if skill and level and "id" in profile.fields:
        profile.layout, profile.long_skill, profile.long_level = "long", skill.code, level.code
        for guess in guesses:
            if guess.column in (skill.code, level.code):
                guess.role = "long_skill" if guess.column == skill.code else "long_level"
                guess.confidence = 1.0


def _suggest(guesses: list[ColumnGuess], sheet: Sheet, taxonomy: Taxonomy) -> None:
    """Fuzzy guesses for unmatched columns, for a person to confirm (never applied silently)."""
    choices = dict(zip(taxonomy.aliases["alias_key"], taxonomy.aliases["skill_id"], strict=True))
    columns = {c.code: c for c in sheet.columns}
    for guess in guesses:
        col = columns.get(guess.column)
        if guess.role != "ignore" or col is None:
            continue
        name = match_key(col.option or col.code)
        if len(name) < 2:
            continue
        best = process.extractOne(name, choices.keys(), scorer=fuzz.ratio, score_cutoff=80)
        if best:
            guess.skill, guess.confidence = choices[best[0]], round(best[1] / 100, 3)


def profile_from_guesses(guesses: list[ColumnGuess], base: Profile) -> Profile:
    """A profile from per-column roles (auto-detected, or as corrected in the mapping editor)."""
    profile = Profile(**{**base.__dict__, "fields": {}, "questions": []})
    rating: dict[str, str | None] = {}
    for g in guesses:
        if g.role in STANDARD_HEADERS and g.role not in profile.fields:
            profile.fields[g.role] = Selector([g.column])
        elif g.role == "skill_rating" and g.skill:
            rating[g.column] = g.skill
        elif g.role == "skill_picked":
            question = Question(kind="picked", columns=Selector([g.column]), name=g.column, separator=g.separator or ";")
            if g.skill:  # a column per option: the header names the skill
                question.skill_from, question.skills = "header", {g.column: g.skill}
            profile.questions.append(question)
        elif g.role in ("cloud_preferred", "cloud_uses"):
            profile.questions.append(Question(
                kind="cloud", columns=Selector([g.column]), name=g.column, cloud_kind=g.role.split("_")[1],
                separator=g.separator if g.role == "cloud_uses" else None))
        elif g.role == "learning_interest":
            profile.questions.append(Question(kind="interest", columns=Selector([g.column]), name=g.column,
                                              separator=g.separator or ";"))
    if rating:
        profile.questions.insert(0, Question(kind="rating", columns=Selector(list(rating)), name="skill ratings",
                                             skills=rating))
    return profile
