"""Profiles: how one kind of export maps onto the model (YAML; the format is docs/profiles.md).

A profile is plain data. `load_profile` reads it and checks it against its model
(schemas.config.ProfileFile); `detect.auto_profile` builds one for files that come without a profile.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.taxonomy import entry_dict
from schemas import config, settings
from schemas.config import QUESTION_KINDS, STANDARD_FIELDS

__all__ = ["QUESTION_KINDS", "STANDARD_FIELDS", "Profile", "ProfileError", "Question", "Selector",
           "load_profile", "parse_profile", "to_dict"]


class ProfileError(ValueError):
    """The profile itself is wrong; the message says where."""


@dataclass
class Selector:
    """Which columns a question or field takes: exact names (code or header text) and/or a regex."""

    names: list[str] = field(default_factory=list)
    match: str | None = None
    exclude: str | None = None

    @classmethod
    def of(cls, spec: config.SelectorSpec | None) -> Selector:
        if spec is None:
            return cls()
        return cls(names=spec.names(), match=spec.match, exclude=spec.exclude)


@dataclass
class Question:
    kind: str  # rating | picked | cloud | interest
    columns: Selector
    name: str = ""
    # rating: skill per column comes from `skills` (header text or option -> skill) or the header's [bracket]
    skills: dict[str, str | None] = field(default_factory=dict)  # option/header label -> skill id (None = no skill)
    skill_from: str | None = None  # header: the column names the skill; cell: the cell does (default by kind)
    level: int = 3  # picked: the level a pick means
    cloud_kind: str = "uses"  # cloud: preferred | uses
    providers: dict[str, str] = field(default_factory=dict)  # cloud: option label -> provider
    separator: str | None = None  # joined cells: split on this
    scale: tuple[int, int] | None = None  # rating: numeric scale of the answers, e.g. (1, 5)
    labels: dict[str, int] = field(default_factory=dict)  # rating: extra text labels for this question
    gate: Selector | None = None  # picked: the columns of the question it was shown after

    def __post_init__(self):
        if self.skill_from is None:
            self.skill_from = "cell" if self.kind in {"picked", "interest"} else "header"


@dataclass
class Profile:
    name: str = "auto"
    wave_label: str | None = None
    wave_date: dt.date | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    header_rows: int = 1
    header_style: str = "stacked"  # stacked | surveymonkey (first header row carried right)
    name_row: int = 1  # which header row holds the names that `columns` selectors match first
    missing: list[str] = field(default_factory=list)
    fields: dict[str, Selector] = field(default_factory=dict)
    id_kind: str = "email"  # email | employee_id (both are hashed the same way)
    submitted_at_format: str | None = None
    submitted_at_era: str = "gregorian"  # gregorian | buddhist
    layout: str = "wide"  # wide | long
    long_skill: str | None = None
    long_level: str | None = None
    scale: tuple[int, int] = (0, 4)
    labels: dict[str, int] = field(default_factory=dict)  # extra level labels for every rating question
    replace_labels: bool = False
    areas: list[dict] = field(default_factory=list)
    skills: list[dict] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    source: str | None = None  # the file the profile came from

    def to_yaml(self) -> str:
        return yaml.safe_dump(to_dict(self), allow_unicode=True, sort_keys=False, width=110)


def parse_profile(data: object, source: str | None = None) -> Profile:
    """A profile from its parsed YAML; a ProfileError naming the file and the key otherwise."""
    name = Path(source).name if source else "profile"
    try:
        spec = config.parse(config.ProfileFile, data, name)
    except config.ConfigError as exc:
        raise ProfileError(str(exc)) from None
    return _from_spec(spec, source)


def _from_spec(spec: config.ProfileFile, source: str | None) -> Profile:
    submitted = spec.columns.submitted_at
    fields = {key: Selector.of(getattr(spec.columns, key)) for key in STANDARD_FIELDS
              if getattr(spec.columns, key) is not None}
    return Profile(
        name=spec.name or (Path(source).stem if source else "profile"), source=source,
        wave_label=spec.wave.label, wave_date=spec.wave.date,
        encoding=spec.read.encoding, delimiter=spec.read.delimiter, sheet=spec.read.sheet,
        header_rows=spec.read.header_rows, header_style=spec.read.header_style, name_row=spec.read.name_row,
        missing=list(spec.read.missing), fields=fields, id_kind=spec.id_kind,
        submitted_at_format=submitted.format if submitted else None,
        submitted_at_era=submitted.era if submitted else "gregorian",
        layout=spec.layout, long_skill=spec.long.skill, long_level=spec.long.level,
        scale=spec.levels.scale or (0, 4), labels=dict(spec.levels.labels), replace_labels=spec.levels.replace,
        areas=[entry_dict(a) for a in spec.taxonomy.areas], skills=[entry_dict(s) for s in spec.taxonomy.skills],
        questions=[_question(q, i) for i, q in enumerate(spec.questions)],
    )


def _question(q: config.QuestionSpec, i: int) -> Question:
    return Question(
        kind=q.kind, columns=Selector(names=list(q.columns), match=q.match, exclude=q.exclude),
        name=q.name or f"{q.kind} questions[{i}]", skills=dict(q.skills), skill_from=q.skill_from,
        level=q.level, cloud_kind=q.type, providers=dict(q.providers), separator=q.separator,
        scale=q.scale, labels=dict(q.labels), gate=Selector.of(q.gate) if q.gate is not None else None,
    )


def load_profile(path_or_name: str | Path) -> Profile:
    """A profile from a path, or by name from the profiles folder (data/profiles/)."""
    path = Path(path_or_name)
    if not path.exists() and not path.suffix:
        path = settings.profiles_dir() / f"{path_or_name}.yaml"
    try:
        spec = config.load(config.ProfileFile, path)
    except config.ConfigError as exc:
        raise ProfileError(f"profile {exc}") from None
    return _from_spec(spec, str(path))


def _selector_yaml(s: Selector):
    """A selector as the YAML says it: one name, {match: ...} or {columns: [...]}."""
    if s.match and not s.names:
        return {"match": s.match, **({"exclude": s.exclude} if s.exclude else {})}
    return s.names[0] if len(s.names) == 1 and not s.match else {"columns": s.names, **({"match": s.match} if s.match else {})}


def to_dict(p: Profile) -> dict:
    """The YAML form of a profile (what --suggest-profile writes and the upload page saves)."""
    sel = _selector_yaml
    out: dict = {"name": p.name}
    if p.wave_label or p.wave_date:
        out["wave"] = {k: v for k, v in {"label": p.wave_label, "date": p.wave_date and p.wave_date.isoformat()}.items() if v}
    read: dict = {"header_rows": p.header_rows}
    for key in ("encoding", "delimiter", "sheet"):
        if getattr(p, key):
            read[key] = getattr(p, key)
    if p.header_style != "stacked":
        read["header_style"] = p.header_style
    if p.missing:
        read["missing"] = p.missing
    out["read"] = read
    cols = {k: sel(v) for k, v in p.fields.items()}
    if "submitted_at" in cols and (p.submitted_at_format or p.submitted_at_era != "gregorian"):
        base = cols["submitted_at"]
        cols["submitted_at"] = {"column": base if isinstance(base, str) else p.fields["submitted_at"].names[0]}
        if p.submitted_at_format:
            cols["submitted_at"]["format"] = p.submitted_at_format
        if p.submitted_at_era != "gregorian":
            cols["submitted_at"]["era"] = p.submitted_at_era
    out["columns"] = cols
    if p.layout == "long":
        out["layout"] = "long"
        out["long"] = {"skill": p.long_skill, "level": p.long_level}
    if p.scale != (0, 4) or p.labels:
        out["levels"] = {"scale": list(p.scale), **({"labels": p.labels} if p.labels else {})}
    if p.areas or p.skills:
        out["taxonomy"] = {"areas": p.areas, "skills": p.skills}
    out["questions"] = [_question_dict(q) for q in p.questions]
    return out


def _question_dict(q: Question) -> dict:
    """The YAML form of one question: its kind, name and columns, and every key not at its default."""
    d: dict = {"kind": q.kind, "name": q.name}
    s = _selector_yaml(q.columns)
    d.update(s if isinstance(s, dict) else {"columns": [s]})
    if q.kind == "cloud":
        d["type"] = q.cloud_kind
        if q.providers:
            d["providers"] = q.providers
    if q.kind == "picked":
        d["level"] = q.level
    if q.skills:
        d["skills"] = q.skills
    if q.kind in {"picked", "interest"} and q.skill_from != "cell" or q.kind == "rating" and q.skill_from != "header":
        d["skill_from"] = q.skill_from
    if q.separator:
        d["separator"] = q.separator
    if q.scale:
        d["scale"] = list(q.scale)
    if q.labels:
        d["labels"] = q.labels
    if q.gate is not None:
        d["gate"] = _selector_yaml(q.gate)
    return d
