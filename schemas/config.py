"""The configuration files as typed models: app config, access, targets, headcount, levels,
taxonomy, example queries, data dictionary and survey profiles.

Every file is read with ``load(Model, path)``: bounded YAML (schemas.yaml_io), then the model,
and any problem is one :class:`ConfigError` line naming the file and the key, e.g.
``targets.yaml: areas.iac: must be between 0 and 1, got 1.5``.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    Strict,
    ValidationError,
    model_validator,
)

from schemas.yaml_io import YamlError, parse_yaml, read_yaml

ROLES = ("admin", "hr", "analyst", "viewer")  # highest first: the first that matches wins
PROVIDERS = ("AWS", "GCP", "Azure")
QUESTION_KINDS = ("rating", "picked", "cloud", "interest")
STANDARD_FIELDS = ("id", "team", "role", "location", "submitted_at")


class ConfigError(ValueError):
    """A setting or a configuration file is wrong; ``str()`` is one line naming the file (or the
    environment variable) and the key."""


# --- turning a pydantic error into one line --------------------------------------------------

_MESSAGES = {  # pydantic error type -> what the person editing the file should read
    "missing": "is required",
    "dict_type": "must be a mapping (key: value)",
    "model_type": "must be a mapping (key: value)",
    "model_attributes_type": "must be a mapping (key: value)",
    "list_type": "must be a list",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "date_type": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "extra_forbidden": "is not a known key",
}


_UNION_TAG = re.compile(r"^(int|str|float|bool|none|[a-z-]+\[.*\])$")


def _where(loc: tuple) -> str:
    parts = ""
    for item in loc:
        # "[key]": the key itself was wrong (and is named already); a union's member type ("int",
        # "function-after[...]") says which alternative failed, which means nothing to a reader.
        if item == "[key]" or (isinstance(item, str) and _UNION_TAG.match(item)):
            continue
        parts += f"[{item}]" if isinstance(item, int) else (f".{item}" if parts else str(item))
    return parts


def describe(exc: ValidationError, source: str) -> str:
    """The first error of ``exc`` as ``source: key.path: what is wrong, got value``."""
    error = exc.errors(include_url=False)[0]
    where = _where(tuple(error["loc"]))
    return f"{source}: {where}: {problem(error)}" if where else f"{source}: {problem(error)}"


def problem(error: Any) -> str:
    """What is wrong in one pydantic error, for the person editing the file: ``must be ..., got x``."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "value_error":
        text = str(ctx.get("error", error["msg"]))
    elif kind == "literal_error":
        text = f"must be one of {ctx.get('expected')}"
    elif kind in ("greater_than_equal", "greater_than"):
        text = f"must be at least {ctx.get('ge', ctx.get('gt'))}"
    elif kind in ("less_than_equal", "less_than"):
        text = f"must be at most {ctx.get('le', ctx.get('lt'))}"
    elif kind == "string_pattern_mismatch":
        text = f"must match {ctx.get('pattern')}"
    else:
        text = _MESSAGES.get(kind) or error["msg"][:1].lower() + error["msg"][1:]
    value = error.get("input")
    return text + (f", got {value!r}" if kind != "missing" and isinstance(value, str | int | float | bool) else "")


# --- field types ----------------------------------------------------------------------------

def _text(value: Any) -> Any:
    """Numbers and dates written bare in YAML (a wave called 2024, a team called 42) as text."""
    if isinstance(value, int | float | dt.date) and not isinstance(value, bool):
        return str(value)
    return value


def _empty_map(value: Any) -> Any:
    return {} if value is None else value


def _empty_list(value: Any) -> Any:
    return [] if value is None else value


def _share(value: float) -> float:
    if not 0 <= value <= 1:
        raise ValueError("must be between 0 and 1")
    return value


Text = Annotated[str, BeforeValidator(_text)]
Whole = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]
Share = Annotated[float, Strict(), AfterValidator(_share)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
Level = Annotated[int, Strict(), Field(ge=0, le=4)]
Provider = Literal["AWS", "GCP", "Azure"]
Role = Literal["admin", "hr", "analyst", "viewer"]
ConsoleTier = Literal["respondent", "aggregate"]
M = TypeVar("M", bound=BaseModel)


class FileModel(BaseModel):
    """A mapping in a configuration file: unknown keys are refused with the known ones listed."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = {field.alias or name for name, field in cls.model_fields.items()}
            unknown = sorted(str(key) for key in data if key not in known)
            if unknown:
                raise ValueError(f"unknown keys {unknown} (known: {', '.join(sorted(known))})")
        return data


# --- reading --------------------------------------------------------------------------------

def parse(model: type[M], data: Any, source: str) -> M:
    """``data`` (a parsed YAML document) as ``model``; an empty document is the model's defaults."""
    try:
        return model.model_validate({} if data is None else data)
    except ValidationError as exc:
        raise ConfigError(describe(exc, source)) from None


def load(model: type[M], path: str | Path, missing_ok: bool = False) -> M:
    """The file at ``path`` as ``model``; ``missing_ok``: no file means the defaults."""
    path = Path(path)
    if missing_ok and not path.exists():
        return model()
    try:
        data = read_yaml(path)
    except YamlError as exc:
        raise ConfigError(str(exc)) from None
    return parse(model, data, path.name)


def load_text(model: type[M], text: str, source: str) -> M:
    """Like :func:`load` for YAML text that is not in a file (an uploaded or edited profile)."""
    try:
        data = parse_yaml(text, source)
    except YamlError as exc:
        raise ConfigError(str(exc)) from None
    return parse(model, data, source)


# --- data/app_config.yaml, targets.yaml, headcount.yaml ---------------------------------------

class AppConfig(FileModel):
    proficient_threshold: Annotated[Whole, Field(ge=1, le=4)] = 3
    min_group_size: Annotated[Whole, Field(ge=1)] = 5
    single_point_max_bench: Annotated[Whole, Field(ge=0)] = 1
    # Movers list only changes larger than this, in percentage points, whose 95% intervals don't overlap.
    min_change_pp: Annotated[float, Strict(), Field(ge=0, le=100)] = 2.0


class Targets(FileModel):
    default: Share | None = None
    areas: Annotated[dict[Text, Share], BeforeValidator(_empty_map)] = {}


class WaveHeadcount(FileModel):
    total: Annotated[Whole, Field(ge=0)] | None = None
    teams: Annotated[dict[Text, Annotated[Whole, Field(ge=0)]], BeforeValidator(_empty_map)] = {}


class Headcount(FileModel):
    waves: Annotated[dict[Text, Annotated[WaveHeadcount, BeforeValidator(_empty_map)]],
                     BeforeValidator(_empty_map)] = {}


# --- data/access.yaml -------------------------------------------------------------------------

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")
_DOMAIN = re.compile(r"^@[^@\s]+$")


def email_key(email: str | None) -> str | None:
    """The form an address is matched in: ASCII-lowercased; None unless it is a plain ASCII
    ``local@domain``. Non-ASCII is refused rather than folded, because folding is what lets a
    lookalike in (``boſs@`` with U+017F becomes ``boss@`` under NFKC and casefold)."""
    text = (email or "").strip()
    if not text.isascii() or not _ADDRESS.match(text):
        return None
    return text.lower()


def _access_entry(entry: str) -> str:
    """An allow-list entry as typed by an admin: NFKC first (a full-width address typed with an
    IME is meant as the ASCII one), then it must be an ASCII address or ``@domain``."""
    text = unicodedata.normalize("NFKC", entry).strip()
    if not text.isascii() or not (_ADDRESS.match(text) or _DOMAIN.match(text)):
        raise ValueError(f"must be an email address or @domain in ASCII letters, got {entry!r}")
    return text.lower()


class AccessFile(FileModel):
    require_login: Flag = False
    default_role: Role | None = None
    roles: Annotated[dict[Role, Annotated[list[Annotated[Text, AfterValidator(_access_entry)]],
                                          BeforeValidator(_empty_list)]],
                     BeforeValidator(_empty_map)] = {}
    # What the SQL console reads per role (analytics.console_tiers): respondent rows or k-safe views.
    console_rows: Annotated[dict[Literal["admin", "analyst"], ConsoleTier], BeforeValidator(_empty_map)] = {}


# --- data/levels.yaml, data/taxonomy.yaml ------------------------------------------------------

class Levels(RootModel[dict[Level, list[Text]]]):
    """Default proficiency labels: level -> the texts that mean it."""


class SkillEntry(FileModel):
    id: Id
    en: Text
    ja: Text | None = None
    provider: Provider | None = None
    aliases: Annotated[list[Text], BeforeValidator(_empty_list)] = []
    area: Id | None = None  # a profile's skill names its area; a taxonomy skill sits inside one


class AreaEntry(FileModel):
    id: Id
    en: Text
    ja: Text | None = None
    track: Text = "Custom"
    skills: Annotated[list[SkillEntry], BeforeValidator(_empty_list)] = []


class CategoryEntry(FileModel):
    id: Id
    en: Text
    ja: Text
    AWS: Annotated[list[Id], BeforeValidator(_empty_list)] = []
    GCP: Annotated[list[Id], BeforeValidator(_empty_list)] = []
    Azure: Annotated[list[Id], BeforeValidator(_empty_list)] = []


class TaxonomyFile(FileModel):
    areas: list[AreaEntry]
    service_categories: Annotated[list[CategoryEntry], BeforeValidator(_empty_list)] = []


# --- data/example_queries.yaml, data/data_dictionary.yaml ---------------------------------------

def _squeeze(text: str) -> str:
    return " ".join(text.split())


class ExampleQuery(FileModel):
    name: Annotated[Text, Field(min_length=1)]
    description: Annotated[Text, AfterValidator(_squeeze)] = ""
    sql: Annotated[Text, AfterValidator(lambda s: s.strip() + "\n" if s.strip() else s), Field(min_length=1)]
    rows: ConsoleTier = "respondent"  # the console tier the example needs


class ExampleQueries(FileModel):
    queries: Annotated[list[ExampleQuery], BeforeValidator(_empty_list)] = []

    @model_validator(mode="after")
    def _unique_names(self) -> ExampleQueries:
        names = [q.name for q in self.queries]
        if len(set(names)) != len(names):
            raise ValueError("example names must be unique")
        return self


class TableEntry(FileModel):
    description: Annotated[Text, AfterValidator(_squeeze)] = ""
    columns: Annotated[dict[Text, Annotated[Text, BeforeValidator(lambda v: "" if v is None else v),
                                            AfterValidator(_squeeze)]],
                       BeforeValidator(_empty_map)] = {}
    rollup_of: Text | None = None


class DataDictionary(FileModel):
    tables: Annotated[dict[Text, Annotated[TableEntry, BeforeValidator(_empty_map)]], BeforeValidator(_empty_map)] = {}


# --- survey profiles (data/profiles/*.yaml; the format is docs/profiles.md) ---------------------

def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from None
    return pattern


def _selector(value: Any) -> Any:
    """A column name, a list of names or a mapping (columns / column / match / exclude)."""
    if value is None:
        return {}
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return {"columns": [value]}
    if isinstance(value, list):
        return {"columns": value}
    if isinstance(value, dict):
        return value
    raise ValueError("expected a column name, a list of names or {match: regex}")


def _names(value: Any) -> Any:
    return [value] if isinstance(value, str) else _empty_list(value)


def _scale(value: Any) -> Any:
    if value is None:
        return None
    if not (isinstance(value, list | tuple) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise ValueError("must be two whole numbers, e.g. [1, 5]")
    if value[0] >= value[1]:
        raise ValueError("must go from low to high, e.g. [1, 5]")
    return tuple(value)


def _labels(value: Any) -> Any:
    """``{level: [labels]}`` or ``{label: level}`` -> ``{label: level}``."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of level to labels, e.g. {4: [guru]}")
    out: dict[Any, Any] = {}
    for key, val in value.items():
        if isinstance(val, list):
            out.update({label: key for label in val})
        else:
            out[key] = val
    return out


Regex = Annotated[Text, AfterValidator(_regex)]
Names = Annotated[list[Text], BeforeValidator(_names)]
Scale = Annotated[tuple[int, int] | None, BeforeValidator(_scale)]
Labels = Annotated[dict[Text, Level], BeforeValidator(_labels)]


class SelectorSpec(FileModel):
    columns: Names = []
    column: Text | None = None
    match: Regex | None = None
    exclude: Regex | None = None

    def names(self) -> list[str]:
        return list(self.columns) or ([self.column] if self.column is not None else [])


class SubmittedAtSpec(SelectorSpec):
    format: Text | None = None
    era: Literal["gregorian", "buddhist"] = "gregorian"


Selected = Annotated[SelectorSpec, BeforeValidator(_selector)]


class ColumnsSpec(FileModel):
    id: Selected | None = None
    team: Selected | None = None
    role: Selected | None = None
    location: Selected | None = None
    submitted_at: Annotated[SubmittedAtSpec, BeforeValidator(_selector)] | None = None


class WaveSpec(FileModel):
    label: Text | None = None
    date: dt.date | None = None


class ReadSpec(FileModel):
    encoding: Text | None = None
    delimiter: Text | None = None
    sheet: Whole | str | None = None
    header_rows: Annotated[Whole, Field(ge=1)] = 1
    header_style: Literal["stacked", "surveymonkey"] = "stacked"
    name_row: Annotated[Whole, Field(ge=1)] = 1
    missing: Names = []


class LongSpec(FileModel):
    skill: Text | None = None
    level: Text | None = None


class LevelsSpec(FileModel):
    scale: Scale = None
    labels: Labels = {}
    replace: Flag = False


class ProfileTaxonomy(FileModel):
    areas: Annotated[list[AreaEntry], BeforeValidator(_empty_list)] = []
    skills: Annotated[list[SkillEntry], BeforeValidator(_empty_list)] = []

    @model_validator(mode="after")
    def _skills_name_their_area(self) -> ProfileTaxonomy:
        for i, skill in enumerate(self.skills):
            if skill.area is None:
                raise ValueError(f"skills[{i}] ({skill.id}) needs area: the id of the area it belongs to")
        return self


class QuestionSpec(FileModel):
    kind: Literal["rating", "picked", "cloud", "interest"]
    name: Text | None = None
    columns: Names = []
    match: Regex | None = None
    exclude: Regex | None = None
    skills: Annotated[dict[Text, Text | None], BeforeValidator(_empty_map)] = {}
    skill_from: Literal["header", "cell"] | None = None
    level: Level = 3
    type: Literal["preferred", "uses"] = "uses"
    providers: Annotated[dict[Text, Text], BeforeValidator(_empty_map)] = {}
    separator: Text | None = None
    scale: Scale = None
    labels: Labels = {}
    # The question this one was shown after (picked only): everyone who answered the gate is in
    # this question's population, so those not shown it count as picking none (docs/profiles.md).
    gate: Selected | None = None

    @model_validator(mode="after")
    def _selects_columns(self) -> QuestionSpec:
        if not self.columns and not self.match:
            raise ValueError("needs columns or match")
        if self.gate is not None:
            if self.kind != "picked":
                raise ValueError("gate: only a picked question can have a gate")
            if not self.gate.names() and not self.gate.match:
                raise ValueError("gate: needs columns or match")
        return self


class ProfileFile(FileModel):
    name: Text | None = None
    wave: Annotated[WaveSpec, BeforeValidator(lambda v: {"label": v} if isinstance(v, str) else _empty_map(v))] = (
        WaveSpec())
    read: Annotated[ReadSpec, BeforeValidator(_empty_map)] = ReadSpec()
    id_kind: Literal["email", "employee_id"] = "email"
    columns: Annotated[ColumnsSpec, BeforeValidator(_empty_map)] = ColumnsSpec()
    layout: Literal["wide", "long"] = "wide"
    long: Annotated[LongSpec, BeforeValidator(_empty_map)] = LongSpec()
    levels: Annotated[LevelsSpec, BeforeValidator(_empty_map)] = LevelsSpec()
    taxonomy: Annotated[ProfileTaxonomy, BeforeValidator(_empty_map)] = ProfileTaxonomy()
    questions: Annotated[list[QuestionSpec], BeforeValidator(_empty_list)] = []

    @model_validator(mode="after")
    def _long_names_its_columns(self) -> ProfileFile:
        if self.layout == "long" and not (self.long.skill and self.long.level):
            raise ValueError("layout long needs long.skill and long.level column names")
        return self


# --- .streamlit/secrets.toml [auth] (Streamlit's OpenID Connect sign-in) --------------------------

NonEmpty = Annotated[str, Strict(), Field(min_length=1)]


class AuthSection(BaseModel):
    """What ``st.login()`` (the default provider) needs; other keys (client_kwargs ...) pass."""

    model_config = ConfigDict(extra="allow", frozen=True)

    redirect_uri: NonEmpty
    cookie_secret: NonEmpty
    client_id: NonEmpty
    client_secret: NonEmpty
    server_metadata_url: NonEmpty
