"""The skill taxonomy: data/taxonomy.yaml (validated) plus whatever a profile adds."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipelines.redaction import redact_column
from pipelines.text import match_key
from schemas import config, settings
from schemas.taxonomy import PROVIDERS, ServiceCategoryFrame, SkillAliasFrame, SkillAreaFrame, SkillFrame

TAXONOMY_FILE = settings.TAXONOMY


class TaxonomyError(ValueError):
    """The taxonomy (or a profile's addition to it) is inconsistent."""


@dataclass(frozen=True)
class Taxonomy:
    areas: pd.DataFrame
    skills: pd.DataFrame
    aliases: pd.DataFrame
    categories: pd.DataFrame

    def lookup(self) -> dict[str, str]:
        """Normalised name or alias -> skill_id."""
        return dict(zip(self.aliases["alias_key"], self.aliases["skill_id"], strict=True))

    def with_additions(self, areas: list[dict], skills: list[dict]) -> Taxonomy:
        """A copy extended by a profile's extra areas and skills (same keys as the YAML file)."""
        if not areas and not skills:
            return self
        extra = _frames([{**a, "skills": []} for a in areas], skills, start=len(self.skills))
        for frame in extra[:2]:  # names typed into a profile are stored text like any other
            for col in {"track", "name_en", "name_ja"} & set(frame.columns):
                frame[col] = redact_column(frame[col])

        def concat(base: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
            # An empty addition would turn typed columns into object ones: only concat real rows.
            return pd.concat([base, more.astype(base.dtypes.to_dict())], ignore_index=True) if len(more) else base

        return _build(concat(self.areas, extra[0]), concat(self.skills, extra[1]), concat(self.aliases, extra[2]),
                      self.categories)


def _frames(areas: list[dict], loose_skills: list[dict], start: int = 0):
    area_rows, skill_rows, alias_rows = [], [], []
    for order, area in enumerate(areas):
        area_rows.append({
            "area_id": area["id"], "track": area.get("track", "Custom"),
            "name_en": area["en"], "name_ja": area.get("ja", area["en"]), "sort_order": order + 100 * bool(start),
        })
        for skill in area.get("skills", []):
            skill_rows.append({**skill, "area": area["id"]})
    skill_rows += loose_skills
    skills = []
    for order, skill in enumerate(skill_rows):
        provider = skill.get("provider")
        skills.append({
            "skill_id": skill["id"], "area_id": skill.get("area") or skill.get("area_id"),
            "name_en": skill["en"], "name_ja": skill.get("ja", skill["en"]),
            "provider": provider, "sort_order": start + order,
        })
        names = {skill["id"], skill["en"], skill.get("ja", skill["en"]), *skill.get("aliases", [])}
        alias_rows += [{"alias_key": match_key(n), "skill_id": skill["id"]} for n in names]
    return (
        pd.DataFrame(area_rows, columns=list(SkillAreaFrame.to_schema().columns)),
        pd.DataFrame(skills, columns=list(SkillFrame.to_schema().columns)).astype({"provider": object}),
        pd.DataFrame(alias_rows, columns=["alias_key", "skill_id"]),
    )


def _build(areas, skills, aliases, categories) -> Taxonomy:
    try:
        areas = SkillAreaFrame.validate(areas.reset_index(drop=True), lazy=True)
        skills = SkillFrame.validate(skills.reset_index(drop=True), lazy=True)
        aliases = SkillAliasFrame.validate(aliases.drop_duplicates().reset_index(drop=True), lazy=True)
        categories = ServiceCategoryFrame.validate(categories, lazy=True)
    except Exception as exc:  # pandera SchemaErrors: summarise in one line
        raise TaxonomyError(f"taxonomy is invalid: {str(exc).splitlines()[0]}") from exc
    unknown_area = set(skills["area_id"]) - set(areas["area_id"])
    if unknown_area:
        raise TaxonomyError(f"skills refer to unknown areas: {sorted(unknown_area)}")
    clash = aliases.groupby("alias_key")["skill_id"].nunique()
    if (clash > 1).any():
        raise TaxonomyError(f"names shared by several skills: {sorted(clash[clash > 1].index)[:5]}")
    unknown_skill = set(categories["skill_id"]) - set(skills["skill_id"])
    if unknown_skill:
        raise TaxonomyError(f"service table names unknown skills: {sorted(unknown_skill)}")
    return Taxonomy(areas, skills, aliases, categories)


def load(path: Path = TAXONOMY_FILE) -> Taxonomy:
    data = config.load(config.TaxonomyFile, path)
    areas, skills, aliases = _frames([entry_dict(a) for a in data.areas], [])
    rows = []
    for order, cat in enumerate(data.service_categories):
        for provider in PROVIDERS:
            rows += [{"category_id": cat.id, "name_en": cat.en, "name_ja": cat.ja,
                      "provider": provider, "skill_id": s, "sort_order": order} for s in getattr(cat, provider)]
    return _build(areas, skills, aliases, pd.DataFrame(rows))


def entry_dict(entry: config.AreaEntry | config.SkillEntry) -> dict:
    """A checked area or skill entry as the plain mapping the frames are built from (and a
    profile's YAML holds): the keys that were written, defaults left out."""
    return entry.model_dump(exclude_defaults=True)


@lru_cache(maxsize=1)
def builtin() -> Taxonomy:
    return load()


def sync(con, taxonomy: Taxonomy) -> None:
    """Upsert the taxonomy's areas and skills; the service table is replaced whole."""
    con.register("_areas", taxonomy.areas)
    con.register("_skills", taxonomy.skills)
    con.register("_categories", taxonomy.categories)
    try:
        con.execute("INSERT OR REPLACE INTO skill_areas SELECT area_id, track, name_en, name_ja, sort_order FROM _areas")
        con.execute(
            "INSERT OR REPLACE INTO skills SELECT skill_id, area_id, name_en, name_ja, provider, sort_order FROM _skills"
        )
        con.execute("DELETE FROM service_categories")
        con.execute(
            "INSERT INTO service_categories "
            "SELECT category_id, name_en, name_ja, provider, skill_id, sort_order FROM _categories"
        )
    finally:
        for name in ("_areas", "_skills", "_categories"):
            con.unregister(name)
