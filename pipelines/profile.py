"""Profiles: how one kind of export maps onto the model (YAML; the format is in README.md).

A profile is plain data. `load_profile` reads and checks it; `detect.auto_profile` builds one
for files that come without a profile.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.config import PROFILES_DIR
from schemas.yaml_io import YamlError, read_yaml

QUESTION_KINDS = {"rating", "picked", "cloud", "interest"}
CLOUD_KINDS = {"preferred", "uses"}
STANDARD_FIELDS = ("id", "team", "role", "location", "submitted_at")


class ProfileError(ValueError):
    """The profile itself is wrong; the message says where."""


@dataclass
class Selector:
    """Which columns a question or field takes: exact names (code or header text) and/or a regex."""

    names: list[str] = field(default_factory=list)
    match: str | None = None
    exclude: str | None = None

    @classmethod
    def parse(cls, value, where: str) -> Selector:
        if value is None:
            return cls()
        if isinstance(value, str):
            return cls(names=[value])
        if isinstance(value, list):
            return cls(names=[str(v) for v in value])
        if isinstance(value, dict):
            unknown = set(value) - {"columns", "column", "match", "exclude"}
            if unknown:
                raise ProfileError(f"{where}: unknown keys {sorted(unknown)}")
            names = value.get("columns") or ([value["column"]] if "column" in value else [])
            return cls(names=[str(n) for n in names], match=value.get("match"), exclude=value.get("exclude"))
        raise ProfileError(f"{where}: expected a column name, a list of names or {{match: regex}}")


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


def _labels(value, where: str) -> dict[str, int]:
    """{level: [labels]} or {label: level} -> {label: level}."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ProfileError(f"{where}: expected a mapping of level to labels")
    out: dict[str, int] = {}
    for key, val in value.items():
        if isinstance(val, list):
            for label in val:
                out[str(label)] = int(key)
        else:
            out[str(key)] = int(val)
    return out


def _scale(value, where: str) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        low, high = (int(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise ProfileError(f"{where}: scale must be two numbers, e.g. [1, 5]") from exc
    if low >= high:
        raise ProfileError(f"{where}: scale must go from low to high")
    return low, high


def parse_profile(data: dict, source: str | None = None) -> Profile:
    if not isinstance(data, dict):
        raise ProfileError("a profile must be a YAML mapping")
    known = {"name", "wave", "read", "columns", "layout", "long", "levels", "taxonomy", "questions", "id_kind"}
    unknown = set(data) - known
    if unknown:
        raise ProfileError(f"unknown top-level keys {sorted(unknown)} (known: {sorted(known)})")
    p = Profile(name=str(data.get("name") or (Path(source).stem if source else "profile")), source=source)
    wave = data.get("wave") or {}
    if isinstance(wave, str):
        wave = {"label": wave}
    p.wave_label = wave.get("label")
    if wave.get("date"):
        try:
            p.wave_date = dt.date.fromisoformat(str(wave["date"]))
        except ValueError as exc:
            raise ProfileError(f"wave.date must be YYYY-MM-DD, got {wave['date']!r}") from exc
    read = data.get("read") or {}
    p.encoding = read.get("encoding")
    p.delimiter = read.get("delimiter")
    p.sheet = read.get("sheet")
    p.header_rows = int(read.get("header_rows", 1))
    p.header_style = read.get("header_style", "stacked")
    if p.header_style not in {"stacked", "surveymonkey"}:
        raise ProfileError("read.header_style must be stacked or surveymonkey")
    p.name_row = int(read.get("name_row", 1))
    p.missing = [str(m) for m in read.get("missing", [])]
    p.id_kind = data.get("id_kind", "email")
    for key, value in (data.get("columns") or {}).items():
        if key not in STANDARD_FIELDS:
            raise ProfileError(f"columns.{key}: unknown field (known: {', '.join(STANDARD_FIELDS)})")
        if key == "submitted_at" and isinstance(value, dict):
            p.submitted_at_format = value.get("format")
            p.submitted_at_era = value.get("era", "gregorian")
            value = {k: v for k, v in value.items() if k not in {"format", "era"}}
        p.fields[key] = Selector.parse(value, f"columns.{key}")
    p.layout = data.get("layout", "wide")
    if p.layout not in {"wide", "long"}:
        raise ProfileError("layout must be wide or long")
    if p.layout == "long":
        long = data.get("long") or {}
        p.long_skill, p.long_level = long.get("skill"), long.get("level")
        if not p.long_skill or not p.long_level:
            raise ProfileError("layout long needs long.skill and long.level column names")
    levels = data.get("levels") or {}
    p.scale = _scale(levels.get("scale"), "levels.scale") or (0, 4)
    p.labels = _labels(levels.get("labels"), "levels.labels")
    p.replace_labels = bool(levels.get("replace", False))
    taxonomy = data.get("taxonomy") or {}
    p.areas = list(taxonomy.get("areas") or [])
    p.skills = list(taxonomy.get("skills") or [])
    for i, q in enumerate(data.get("questions") or []):
        p.questions.append(_question(q, f"questions[{i}]"))
    return p


def _question(q: dict, where: str) -> Question:
    if not isinstance(q, dict):
        raise ProfileError(f"{where}: expected a mapping")
    kind = q.get("kind")
    if kind not in QUESTION_KINDS:
        raise ProfileError(f"{where}.kind must be one of {sorted(QUESTION_KINDS)}, got {kind!r}")
    known = {"kind", "name", "columns", "match", "exclude", "skills", "skill_from", "level", "type",
             "providers", "separator", "scale", "labels"}
    unknown = set(q) - known
    if unknown:
        raise ProfileError(f"{where}: unknown keys {sorted(unknown)}")
    selector = Selector.parse({k: q[k] for k in ("columns", "match", "exclude") if k in q}, where)
    if not selector.names and not selector.match:
        raise ProfileError(f"{where}: needs columns or match")
    cloud_kind = q.get("type", "uses")
    if kind == "cloud" and cloud_kind not in CLOUD_KINDS:
        raise ProfileError(f"{where}.type must be preferred or uses")
    level = int(q.get("level", 3))
    if not 0 <= level <= 4:
        raise ProfileError(f"{where}.level must be 0-4")
    skill_from = q.get("skill_from", "cell" if kind in {"picked", "interest"} else "header")
    if skill_from not in {"header", "cell"}:
        raise ProfileError(f"{where}.skill_from must be header or cell")
    return Question(
        kind=kind, columns=selector, name=str(q.get("name", f"{kind} {where}")),
        skills={str(k): (str(v) if v is not None else None) for k, v in (q.get("skills") or {}).items()},
        skill_from=skill_from, level=level, cloud_kind=cloud_kind,
        providers={str(k): str(v) for k, v in (q.get("providers") or {}).items()},
        separator=q.get("separator"), scale=_scale(q.get("scale"), f"{where}.scale"),
        labels=_labels(q.get("labels"), f"{where}.labels"),
    )


def load_profile(path_or_name: str | Path) -> Profile:
    """A profile from a path, or by name from data/profiles/."""
    path = Path(path_or_name)
    if not path.exists() and not path.suffix:
        path = PROFILES_DIR / f"{path_or_name}.yaml"
    try:  # bounded: a size cap and an alias-expansion budget (an alias bomb is refused, not expanded)
        data = read_yaml(path)
    except YamlError as exc:
        raise ProfileError(f"profile {exc}") from exc
    return parse_profile(data, source=str(path))


def to_dict(p: Profile) -> dict:
    """The YAML form of a profile (what --suggest-profile writes and the upload page saves)."""
    def sel(s: Selector):
        if s.match and not s.names:
            return {"match": s.match, **({"exclude": s.exclude} if s.exclude else {})}
        return s.names[0] if len(s.names) == 1 and not s.match else {"columns": s.names, **({"match": s.match} if s.match else {})}

    out: dict = {"name": p.name}
    if p.wave_label or p.wave_date:
        out["wave"] = {k: v for k, v in {"label": p.wave_label, "date": p.wave_date and p.wave_date.isoformat()}.items() if v}
    read = {"header_rows": p.header_rows}
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
    questions = []
    for q in p.questions:
        d: dict = {"kind": q.kind, "name": q.name}
        s = sel(q.columns)
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
        questions.append(d)
    out["questions"] = questions
    return out
