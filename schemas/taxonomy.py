"""The skill taxonomy as loaded from data/taxonomy.yaml (and profile additions)."""
import pandera.pandas as pa
from pandera.typing import Series

PROVIDERS = ["AWS", "GCP", "Azure"]


class SkillAreaFrame(pa.DataFrameModel):
    area_id: Series[str] = pa.Field(unique=True, str_matches=r"^[a-z0-9_]+$", description="Stable id of the area, snake_case.")
    track: Series[str] = pa.Field(description="Track the area belongs to, e.g. DevOps or MLOps.")
    name_en: Series[str] = pa.Field(str_length={"min_value": 1}, description="English name of the area.")
    name_ja: Series[str] = pa.Field(str_length={"min_value": 1}, description="Japanese name of the area.")
    sort_order: Series[int] = pa.Field(ge=0, description="Display order (the article's order for built-ins).")

    class Config:
        strict = True


class SkillFrame(pa.DataFrameModel):
    skill_id: Series[str] = pa.Field(unique=True, str_matches=r"^[a-z0-9_]+$", description="Stable id of the skill, snake_case.")
    area_id: Series[str] = pa.Field(description="Area the skill belongs to (skill_areas.area_id).")
    name_en: Series[str] = pa.Field(str_length={"min_value": 1}, description="English name of the skill.")
    name_ja: Series[str] = pa.Field(str_length={"min_value": 1}, description="Japanese name of the skill.")
    provider: Series[str] = pa.Field(nullable=True, isin=PROVIDERS, description="Cloud provider of a provider-specific skill, else null.")
    sort_order: Series[int] = pa.Field(ge=0, description="Display order within the taxonomy.")

    class Config:
        strict = True


class SkillAliasFrame(pa.DataFrameModel):
    alias_key: Series[str] = pa.Field(str_length={"min_value": 1}, description="Normalised name (NFKC, case-folded, no spaces) that names the skill.")
    skill_id: Series[str] = pa.Field(description="The skill this name refers to.")


class ServiceCategoryFrame(pa.DataFrameModel):
    category_id: Series[str] = pa.Field(description="Id of the service category (vm, storage, faas ...).")
    name_en: Series[str] = pa.Field(description="English name of the category.")
    name_ja: Series[str] = pa.Field(description="Japanese name of the category.")
    provider: Series[str] = pa.Field(isin=PROVIDERS, description="Cloud provider of this cell of the table.")
    skill_id: Series[str] = pa.Field(description="A skill offered by that provider in that category.")
    sort_order: Series[int] = pa.Field(ge=0, description="Row order of the category in the table.")
