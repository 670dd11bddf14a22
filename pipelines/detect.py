"""Work out a profile for a file that came without one.

Every column is classified from its header and its values (docs/profiles.md, "Detection"):

- person columns by their usual headers (an id only when it is filled and unique), names and free
  text never used;
- a rating question when its answers form a scale (`levels.detect_scale`): a grid `Question [Skill]`,
  one question per skill with the skill in the question text (`How experienced are you with X?`:
  the part that differs between neighbouring questions), or a plain skill header;
- a pick list: options joined in one cell, or one column per option (label / empty, Yes / No, 1 / 0);
- cloud providers, and learning interests.

A skill name found in the taxonomy (names, aliases, en/ja; a close spelling with its confidence)
is that skill; any other becomes a custom skill, named as written, in a custom area per question.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field

import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from pipelines.headers import Column, Sheet, split_headers
from pipelines.levels import Scale, detect_scale
from pipelines.profile import Profile, Question, Selector
from pipelines.providers import known_provider
from pipelines.read_file import RawTable
from pipelines.taxonomy import Taxonomy
from pipelines.text import match_key, norm
from pipelines.transform import NOT_PICKED, split_joined

STANDARD_HEADERS = {
    "id": ["email", "email address", "e-mail", "e-mail address", "mail", "メールアドレス", "employee id",
           "employee number", "社員番号", "respondent id", "respondentid", "user id"],
    "team": ["team", "department", "dept", "division", "チーム", "部署", "所属", "部門"],
    "role": ["role", "job title", "title", "position", "職種", "役職", "職位"],
    "location": ["location", "office", "site", "country", "拠点", "勤務地", "所在地"],
    "submitted_at": ["timestamp", "タイムスタンプ", "submitted at", "submitted", "completion time", "end date",
                     "submission time", "回答日時", "完了時刻"],
}
RESPONSE_NUMBERS = ["id", "response id", "responseid", "response number", "#", "no", "no.", "回答id", "番号"]
NAME_HEADERS = ["name", "full name", "first name", "last name", "your name", "surname", "氏名", "名前", "お名前"]
CLOUD_WORDS = ("cloud", "クラウド")
LEARN_WORDS = ("learn", "学び", "学習", "学びたい")
# A pick list of skills: its header speaks of tools or technologies used, or its options name skills.
TOOL_WORDS = ("tool", "technolog", "language", "framework", "platform", "librar", "database", "skill", "certif",
              "training", "course",
              "experience", "worked with", "you use", "used", "ツール", "技術", "言語", "経験", "使用", "使って")
NO_SKILL_OPTIONS = {"none", "other", "none of the above", "not applicable", "n/a", "i don't use any", "なし", "その他"}
LONG_SKILL = ["skill", "スキル", "skill name", "技術"]
LONG_LEVEL = ["level", "レベル", "proficiency", "習熟度", "rating"]
ROLES = ["ignore", "id", "team", "role", "location", "submitted_at", "skill_rating", "skill_picked",
         "cloud_preferred", "cloud_uses", "learning_interest", "long_skill", "long_level"]
# What a person sees for each role (the upload page); the roles above are the profile's words.
ROLE_LABELS = {
    "ignore": "Not used", "id": "Person's email or id (hashed)", "team": "Team", "role": "Job role",
    "location": "Location", "submitted_at": "Submission time", "skill_rating": "Skill rating grid",
    "skill_picked": "Tools used (pick list)", "cloud_preferred": "Preferred cloud", "cloud_uses": "Clouds used",
    "learning_interest": "Wants to learn", "long_skill": "Skill (one row per skill)",
    "long_level": "Level (one row per skill)",
}
# Why a column is not used, as the proposal says it.
REASONS = {
    "name": "a person's name: never stored",
    "response_number": "the survey tool's number for each response: it differs in every wave",
    "free_text": "free text: never stored",
    "id_empty": "looks like an id but is empty in most rows, so it can't identify people",
    "id_repeats": "looks like an id but many values repeat, so it can't identify a person",
    "duplicate": "a second column for a field already mapped",
    "no_skill": "a rating question whose text names no skill",
    "not_skills": "a pick list whose options name no skill",
    "empty": "empty in every row",
    "unknown": "no skill, scale, pick list or person field recognised",
}
YES = {"yes", "y", "1", "true", "checked", "selected", "x", "✓", "はい", "あり"}
SAMPLE_ROWS = 5000
FUZZY_CUTOFF = 90  # a close spelling of a taxonomy name counts as that skill from this score up


@dataclass
class ColumnGuess:
    """What one column seems to be; the upload page's mapping editor shows and edits these."""

    column: str  # the header code, as profiles name columns
    label: str  # what to show a person
    role: str  # one of ROLES
    skill: str | None = None  # skill_rating / a column per option: the skill the column stands for
    confidence: float = 0.0  # 1.0 exact name match, a fuzzy score below that, 0 unknown
    sample: str = ""  # a few distinct answers, to help a person decide
    separator: str | None = None
    reason: str = ""  # ignore: why the column is not used
    question: str = ""  # the question this column belongs to (columns of one question share it)
    skill_name: str = ""  # the skill's name as written, for a custom skill
    scale: Scale | None = None  # skill_rating: the answer -> level table
    options: dict[str, str | None] = field(default_factory=dict)  # joined pick list: option -> skill id


@dataclass
class Detection:
    profile: Profile
    columns: list[ColumnGuess] = field(default_factory=list)
    sheet: Sheet | None = None  # the file split as the profile says (reused by the pipeline)
    warnings: list[str] = field(default_factory=list)  # scales that are a guess, say so

    @property
    def unmatched(self) -> list[str]:
        return [c.label for c in self.columns if c.role == "ignore"]

    @property
    def ignored(self) -> dict[str, str]:
        """Column label -> why it is not used."""
        return {c.label: c.reason or REASONS["unknown"] for c in self.columns if c.role == "ignore"}

    @property
    def suggestions(self) -> dict[str, tuple[str, float]]:
        return {c.label: (c.skill, round(c.confidence * 100, 1)) for c in self.columns
                if c.skill and c.confidence < 1.0}


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


@dataclass
class _Col:
    """A column with what detection reads from it."""

    col: Column
    values: list[str]  # distinct answers among the first SAMPLE_ROWS responses
    filled: int  # non-empty cells (whole column)
    unique: bool  # values hardly repeat (whole column): a person may submit twice, the latest counts
    question: str  # the question text without the [option]
    name: str  # the option or skill name the column itself carries ("" when none)
    rows: int  # responses in the sheet


def _read_column(sheet: Sheet, col: Column) -> _Col:
    data = pc.utf8_trim_whitespace(sheet.data[col.key])
    filled_mask = pc.not_equal(data, "")
    filled = int(pc.sum(filled_mask).as_py() or 0)
    distinct = pc.count_distinct(pc.filter(data, filled_mask)).as_py() if filled else 0
    values = [v for v in pc.unique(data.slice(0, SAMPLE_ROWS)).to_pylist() if v]
    text = col.text or col.code
    question = text.replace(f"[{col.option}]", "").strip(" -:") if col.option else text
    if col.group and col.option:
        question = col.group
    return _Col(col, values, filled, distinct >= 0.9 * filled, question, col.option, sheet.data.num_rows)


def _standard(col: Column) -> str | None:
    for name in {norm(col.code), norm(col.text)}:
        for field_name, headers in STANDARD_HEADERS.items():
            if name in headers:
                return field_name
    return None


_SCALE_NOTE = re.compile(r"\s*[(（][^()（）]*\d[^()（）]*[)）]")  # "Docker (0-4)", "Go （1〜5）"


def skill_name(text: str) -> str:
    """A skill's name from a header or option: a scale stated beside it left out."""
    return _SCALE_NOTE.sub("", text).strip() or text.strip()


def _slug(text: str) -> str:
    ascii_part = re.sub(r"[^a-z0-9]+", "_", norm(text).encode("ascii", "ignore").decode()).strip("_")[:40]
    return ascii_part or hashlib.sha1(text.encode()).hexdigest()[:10]


class _Skills:
    """Skill names -> taxonomy skills, else custom skills (one custom area per question)."""

    def __init__(self, taxonomy: Taxonomy):
        self.lookup = taxonomy.lookup()
        self.known_ids = set(taxonomy.skills["skill_id"])
        self.areas: dict[str, dict] = {}
        self.custom: dict[str, dict] = {}  # match key -> skill entry

    def find(self, name: str) -> tuple[str | None, float]:
        key = match_key(skill_name(name))
        if not key:
            return None, 0.0
        if key in self.lookup:
            return self.lookup[key], 1.0
        best = process.extractOne(key, self.lookup.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        return (self.lookup[best[0]], round(best[1] / 100, 3)) if best else (None, 0.0)

    def skill(self, name: str, question: str) -> tuple[str, float]:
        name = skill_name(name)
        found, confidence = self.find(name)
        if found:
            return found, confidence
        return self.add_custom(name, question), 1.0

    def add_custom(self, name: str, question: str) -> str:
        key = match_key(name)
        if key in self.custom:
            return self.custom[key]["id"]
        area_id = f"custom_{_slug(question)}"
        self.areas.setdefault(area_id, {"id": area_id, "en": (question or "Custom skills")[:80], "track": "Custom"})
        base = skill_id = f"custom_{_slug(name)}"
        n = 2
        while skill_id in self.known_ids or skill_id in {s["id"] for s in self.custom.values()}:
            skill_id, n = f"{base}_{n}", n + 1
        self.custom[key] = {"id": skill_id, "en": name.strip()[:120], "area": area_id}
        return skill_id


def guess_columns(sheet: Sheet, taxonomy: Taxonomy) -> tuple[list[ColumnGuess], _Skills]:
    skills = _Skills(taxonomy)
    cols = [_read_column(sheet, c) for c in sheet.columns]
    guesses = [ColumnGuess(c.col.code, c.col.label, "ignore", sample=" | ".join(c.values[:4])[:120],
                           question=c.question) for c in cols]
    taken: set[str] = set()
    for c, g in zip(cols, guesses, strict=True):
        _person_column(c, g, taken)
    open_cols = [(c, g) for c, g in zip(cols, guesses, strict=True) if g.role == "ignore" and not g.reason]
    _rating_columns(open_cols, skills)
    for c, g in open_cols:
        if g.role == "ignore" and not g.reason:
            _pick_column(c, g, skills)
    _drop_option_groups_of_no_skills(cols, guesses, skills)
    for c, g in open_cols:
        if g.role == "ignore" and not g.reason:
            g.reason = _why_not(c)
    return guesses, skills


def _person_column(c: _Col, g: ColumnGuess, taken: set[str]) -> None:
    """id, team, role, location, submission time; names are never used."""
    if norm(c.col.code) in NAME_HEADERS or norm(c.col.text) in NAME_HEADERS:
        g.reason = REASONS["name"]
        return
    if not c.filled:
        g.reason = REASONS["empty"]
        return
    if norm(c.col.code) in RESPONSE_NUMBERS and c.unique:
        g.reason = REASONS["response_number"]
        return
    std = _standard(c.col)
    if std is None and c.values and all("@" in v and " " not in v for v in c.values[:50]):
        std = "id"  # an email column under another header
    if std is None:
        return
    if std in taken:
        g.reason = REASONS["duplicate"]
        return
    if std == "id" and c.filled < 0.5 * c.rows:  # most rows would fail for want of an id
        g.reason = REASONS["id_empty"]
        return
    if std == "id" and not c.unique:
        g.reason = REASONS["id_repeats"]
        return
    taken.add(std)
    g.role, g.confidence = std, 1.0


def _rating_columns(open_cols: list[tuple[_Col, ColumnGuess]], skills: _Skills) -> None:
    """Columns whose answers form a scale, grouped into questions, each with its skill."""
    # A column named by a taxonomy skill needs fewer distinct answers to count as rated.
    rated = [(c, g) for c, g in open_cols
             if detect_scale(c.values, c.col.text, *((1, 0.5) if skills.find(c.name or c.col.code)[1] == 1.0 else (3, 0.75)))]
    per_skill_names = _names_from_question_texts([c for c, _ in rated if not c.name and _is_question(c.col.text)])
    groups: dict[str, list[tuple[_Col, ColumnGuess, str]]] = {}
    for c, g in rated:
        if c.name:  # a grid: Question [Skill], or a question over option rows
            name, question = c.name, c.question
        elif c.col.key in per_skill_names:
            name, question = per_skill_names[c.col.key]
        elif not _is_question(c.col.text):  # a plain header names the skill
            name, question = c.col.code, "Skills"
        else:  # one rating question on its own: a taxonomy name in its text, or no skill
            found = _taxonomy_name_in(c.col.text, skills)
            if not found:
                g.reason = REASONS["no_skill"]
                continue
            name, question = found, "Skills"
        groups.setdefault(question, []).append((c, g, name))
    for question, members in groups.items():
        pooled = list(dict.fromkeys(v for c, _, _ in members for v in c.values))
        stated = " ".join(dict.fromkeys([question, *(c.col.text for c, _, _ in members)]))  # a scale said anywhere
        scale = detect_scale(pooled, stated, 1, 0.5)
        for c, g, name in members:
            own = scale or detect_scale(c.values, c.col.text, 1, 0.5)
            g.role, g.question, g.scale = "skill_rating", question, own
            g.skill, g.confidence = skills.skill(name, question)
            g.skill_name = skill_name(name)


def _is_question(text: str) -> bool:
    return "?" in text or "？" in text or len(text.split()) > 5 or len(text) > 40


def _names_from_question_texts(cols: list[_Col]) -> dict[str, tuple[str, str]]:
    """One rating question per skill: neighbouring questions worded alike differ in the skill's
    name. Column key -> (skill name, the question's wording with the name left out)."""
    out: dict[str, tuple[str, str]] = {}
    run: list[_Col] = []
    for c in [*cols, None]:
        if c is not None and (not run or len(_common(run + [c])[0]) + len(_common(run + [c])[1]) >= 10):
            run.append(c)
            continue
        if len(run) >= 2:
            prefix, suffix = _common(run)
            for member in run:
                text = member.col.text
                name = text[len(prefix):len(text) - len(suffix)].strip(" :-?？「」\"'")
                if name:
                    out[member.col.key] = (name, f"{prefix.strip()} … {suffix.strip()}".strip(" …"))
        run = [c] if c is not None else []
    return out


def _common(cols: list[_Col]) -> tuple[str, str]:
    """The common start and end of the columns' texts, cut back to a word boundary."""
    texts = [c.col.text for c in cols]
    prefix = os.path.commonprefix(texts)
    suffix = os.path.commonprefix([t[::-1] for t in texts])[::-1]
    shortest = min(len(t) for t in texts)
    if len(prefix) + len(suffix) > shortest:  # overlapping ends: the texts are (nearly) the same
        suffix = suffix[len(prefix) + len(suffix) - shortest:]
    prefix = prefix[:prefix.rfind(" ") + 1] if not prefix.endswith(" ") and " " in prefix else prefix
    suffix = suffix[suffix.find(" "):] if suffix and not suffix.startswith(" ") and " " in suffix else suffix
    return prefix, suffix


def _taxonomy_name_in(text: str, skills: _Skills) -> str | None:
    """The longest taxonomy name (4+ characters) written as a whole word in a question's text."""
    words = norm(text)
    for key in sorted(skills.lookup, key=len, reverse=True):
        if len(key) >= 4 and re.search(rf"(?<![\w]){re.escape(key)}(?![\w])", words):
            return key
    return None


def _pick_column(c: _Col, g: ColumnGuess, skills: _Skills) -> None:
    """A column per option, a joined pick list, cloud providers or learning interests."""
    header = norm(c.col.text)
    values = c.values
    if not values:
        return
    if _is_option_column(c):
        name = c.name or c.col.code
        g.role, g.question = "skill_picked", c.question
        if norm(name) in NO_SKILL_OPTIONS or norm(name).startswith("other"):
            return  # "None of the above": no skill, but whoever ticked it answered the question
        g.skill, g.confidence = skills.skill(name, c.question)
        g.skill_name = name
        return
    separator = ";" if any(";" in v for v in values) else ","
    options = _options(values, separator)
    providers = [o for o in options if known_provider(o)]
    if any(w in header for w in CLOUD_WORDS) and len(providers) == len(options):
        joined = any(len(split_joined(v, separator, [])) > 1 for v in values)
        g.role, g.confidence = ("cloud_uses" if joined else "cloud_preferred"), 1.0
        g.separator = separator if joined else None
        return
    if any(w in header for w in LEARN_WORDS) and all(skills.find(o)[0] for o in options):
        g.role, g.separator, g.confidence = "learning_interest", separator, 1.0
        return
    joined = any(len(split_joined(v, separator, [match_key(o) for o in options])) > 1 for v in values)
    joined = joined and _options_recur(values, separator, options)
    in_taxonomy = sum(skills.find(o)[0] is not None for o in options)
    if joined and (any(w in header for w in TOOL_WORDS) or in_taxonomy >= 0.3 * len(options)):
        g.role, g.separator, g.confidence, g.question = "skill_picked", separator, 1.0, c.question
        g.options = {o: (None if norm(o) in NO_SKILL_OPTIONS or known_provider(o)
                         else skills.skill(o, c.question)[0]) for o in options}
        if providers:  # the same column also says which clouds are used
            g.separator = separator
        return
    if joined:
        g.reason = REASONS["not_skills"]


def _options_recur(values: list[str], separator: str, options: list[str]) -> bool:
    """A pick list offers a few options that many cells share; free text seldom repeats a phrase."""
    known = [match_key(o) for o in options]
    cells_per_option: dict[str, int] = {}
    for v in values:
        for token in split_joined(v, separator, known):
            cells_per_option[token] = cells_per_option.get(token, 0) + 1
    return max(cells_per_option.values(), default=0) >= 2 and len(options) <= max(2, len(values))


def _drop_option_groups_of_no_skills(cols: list[_Col], guesses: list[ColumnGuess], skills: _Skills) -> None:
    """A question asked as one column per option is about skills when its text speaks of tools or
    technologies, or enough of its options are taxonomy skills; otherwise (reasons, barriers,
    benefits) it is not used."""
    groups: dict[str, list[ColumnGuess]] = {}
    for g in guesses:
        if g.role == "skill_picked" and not g.separator:
            groups.setdefault(g.question, []).append(g)
    for question, members in groups.items():
        in_taxonomy = sum(bool(g.skill) and not str(g.skill).startswith("custom_") for g in members)
        if not any(g.skill for g in members):
            in_taxonomy = -1  # only "none" / "other" options: nothing to rate
        if in_taxonomy >= 0 and (any(w in norm(question) for w in TOOL_WORDS) or in_taxonomy >= 0.3 * len(members)):
            continue
        for g in members:
            g.role, g.skill, g.confidence, g.reason = "ignore", None, 0.0, REASONS["not_skills"]
    used = {g.skill for g in guesses} | {s for g in guesses for s in g.options.values()}
    skills.custom = {k: v for k, v in skills.custom.items() if v["id"] in used}


def _is_option_column(c: _Col) -> bool:
    """One column per option: each cell is the option's label, its code, Yes/No or 1/0."""
    own = {norm(c.name), norm(c.col.code), norm(c.col.text)} - {""}
    kinds = {norm(v) for v in c.values}
    if not kinds or len(kinds) > 2:
        return False
    # Someone left it unticked (an empty cell or a No): a column everyone filled the same is no pick.
    unticked = c.filled < c.rows or bool(kinds & NOT_PICKED)
    return unticked and (kinds <= (YES | NOT_PICKED | own) or (len(kinds) == 1 and bool(c.name)))


def _options(values: list[str], separator: str) -> list[str]:
    """A joined pick list's options. Survey tools join ticked labels with the separator even when a
    label holds one itself, so two pieces are one label when the first always comes right before
    the second (and the second always right after the first) and the first is plainly unfinished:
    an open bracket, or a second piece that goes on in lower case."""
    cells = [v.split(separator) for v in values]
    after: dict[str, set] = {}
    before: dict[str, set] = {}
    for parts in cells:
        pieces = [p.strip() for p in parts]
        for i, piece in enumerate(pieces):
            after.setdefault(piece, set()).add(pieces[i + 1] if i + 1 < len(pieces) else None)
            before.setdefault(piece, set()).add(pieces[i - 1] if i else None)

    def glued(a: str, b: str) -> bool:
        unfinished = a.count("(") > a.count(")") or a.count("[") > a.count("]") or b[:1].islower()
        return unfinished and after[a] == {b} and before[b] == {a}

    options: dict[str, None] = {}
    for parts in cells:
        i = 0
        while i < len(parts):
            j = i
            while j + 1 < len(parts) and glued(parts[j].strip(), parts[j + 1].strip()):
                j += 1
            label = separator.join(parts[i:j + 1]).strip()  # as written, its own spacing kept
            if label:
                options.setdefault(label)
            i = j + 1
    return list(options)


def _why_not(c: _Col) -> str:
    if not c.values:
        return REASONS["empty"]
    long_answers = sum(len(v) > 30 for v in c.values)
    if len(c.values) > 20 and (long_answers >= 0.3 * len(c.values) or len(c.values) >= 0.5 * max(c.filled, 1)):
        return REASONS["free_text"]
    return REASONS["unknown"]


def auto_profile(raw: RawTable, taxonomy: Taxonomy) -> Detection:
    header_rows, style = guess_header_rows(raw)
    sheet = split_headers(raw, header_rows, style)
    guesses, skills = guess_columns(sheet, taxonomy)
    if _long_layout(sheet, guesses):
        skills = _Skills(taxonomy)
    profile = profile_from_guesses(guesses, Profile(name="auto-detected", header_rows=header_rows,
                                                    header_style=style),
                                   list(skills.areas.values()), list(skills.custom.values()))
    warnings = [f"question {g.question!r}: {g.scale.warning}" for g in guesses
                if g.role == "skill_rating" and g.scale and g.scale.warning]
    return Detection(profile, guesses, sheet, list(dict.fromkeys(warnings)))


def _long_layout(sheet: Sheet, guesses: list[ColumnGuess]) -> bool:
    """One row per respondent x skill (a skill column and a level column, and a person's id): the
    other question columns are then no grid."""
    names = {norm(c.code): c for c in sheet.columns}
    skill = next((names[n] for n in LONG_SKILL if n in names), None)
    level = next((names[n] for n in LONG_LEVEL if n in names), None)
    ids = [c.code for c in sheet.columns if _standard(c) == "id"]
    if not (skill and level and ids):
        return False
    for guess in guesses:
        if guess.column == ids[0] and guess.reason == REASONS["id_repeats"]:
            guess.role, guess.reason, guess.confidence = "id", "", 1.0  # one row per skill: ids repeat
        if guess.column in (skill.code, level.code):
            guess.role = "long_skill" if guess.column == skill.code else "long_level"
            guess.confidence, guess.reason, guess.skill, guess.scale = 1.0, "", None, None
        elif guess.role in ("skill_rating", "skill_picked"):
            guess.role, guess.reason = "ignore", REASONS["unknown"]
    return True


def profile_from_guesses(guesses: list[ColumnGuess], base: Profile, areas: list[dict] | None = None,
                         skills: list[dict] | None = None) -> Profile:
    """A profile from per-column roles (auto-detected, or as corrected in the mapping editor):
    one question per group of columns, the custom skills they name in the profile's taxonomy
    (`areas` and `skills`: custom entries detection made, besides the base profile's)."""
    profile = Profile(**{**base.__dict__, "fields": {}, "questions": [], "areas": [], "skills": []})
    custom = _CustomTaxonomy(base, areas or [], skills or [])
    ratings: dict[str, list[ColumnGuess]] = {}
    picks: dict[str, list[ColumnGuess]] = {}
    for g in guesses:
        if g.role in STANDARD_HEADERS and g.role not in profile.fields:
            profile.fields[g.role] = Selector([g.column])
        elif g.role == "skill_rating" and g.skill:
            ratings.setdefault(g.question or "skill ratings", []).append(g)
        elif g.role == "skill_picked" and not g.separator:  # a column per option
            picks.setdefault(g.question or g.column, []).append(g)
        elif g.role == "skill_picked":
            profile.questions.append(Question(
                kind="picked", columns=Selector([g.column]), name=g.column, separator=g.separator or ";",
                skills={o: custom.note(s) for o, s in g.options.items()}))
            if any(known_provider(o) for o in g.options):
                profile.questions.append(Question(kind="cloud", columns=Selector([g.column]), name=f"{g.column} (clouds)",
                                                  cloud_kind="uses", separator=g.separator or ";"))
        elif g.role in ("cloud_preferred", "cloud_uses"):
            profile.questions.append(Question(
                kind="cloud", columns=Selector([g.column]), name=g.column, cloud_kind=g.role.split("_")[1],
                separator=g.separator if g.role == "cloud_uses" else None))
        elif g.role == "learning_interest":
            profile.questions.append(Question(kind="interest", columns=Selector([g.column]), name=g.column,
                                              separator=g.separator or ";"))
    rating_questions = [_rating_question(name, members, custom) for name, members in ratings.items()]
    pick_questions = [Question(kind="picked", columns=Selector([g.column for g in members]), name=name,
                               skill_from="header", skills={g.column: custom.note(g.skill) for g in members})
                      for name, members in picks.items() if any(g.skill for g in members)]
    profile.questions = rating_questions + pick_questions + profile.questions
    long = {g.role: g.column for g in guesses if g.role in ("long_skill", "long_level")}
    if len(long) == 2:
        profile.layout, profile.long_skill, profile.long_level = "long", long["long_skill"], long["long_level"]
    profile.areas, profile.skills = custom.entries()
    return profile


def _rating_question(name: str, members: list[ColumnGuess], custom: _CustomTaxonomy) -> Question:
    scale = next((g.scale for g in members if g.scale), None)
    return Question(kind="rating", columns=Selector([g.column for g in members]), name=name,
                    skills={g.column: custom.note(g.skill) for g in members},
                    scale=scale.scale if scale else None, labels=dict(scale.points) if scale else {},
                    not_applicable=list(scale.not_applicable) if scale else [])


class _CustomTaxonomy:
    """The custom areas and skills a profile's questions name: those of the base profile and the
    ones detection made, kept when some question still uses them."""

    def __init__(self, base: Profile, areas: list[dict], skills: list[dict]):
        self.areas = {a["id"]: dict(a) for a in [*base.areas, *areas]}
        self.skills = {s["id"]: dict(s) for s in [*base.skills, *skills]}
        self.used: set[str] = set()

    def note(self, skill_id: str | None) -> str | None:
        if skill_id is not None and skill_id in self.skills:
            self.used.add(skill_id)
        return skill_id

    def entries(self) -> tuple[list[dict], list[dict]]:
        skills = [s for s in self.skills.values() if s["id"] in self.used]
        used_areas = {s["area"] for s in skills}
        return [a for a in self.areas.values() if a["id"] in used_areas], skills
