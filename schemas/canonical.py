"""Frames the ingest pipeline hands to the database writer, one row per spreadsheet row or answer."""
import pandera.pandas as pa
from pandera.typing import Series

PROVIDERS = ["AWS", "GCP", "Azure", "Other", "None"]
# The people columns of a respondent: the aggregates count per team x role x location, and their
# rollups sum each away (analytics/grain.py picks which table serves a filter).
PEOPLE = ("team", "role", "location")
NOT_GIVEN = "(not given)"  # how the aggregates count a person who left a people column empty
CLOUD_KINDS = ["preferred", "uses"]
# Aggregate table -> its columns other than the people columns and the counts.
ROLLUP_KEYS = {
    "agg_respondents": ("population", "wave_id"),
    "agg_skill_levels": ("population", "wave_id", "skill_id"),
    "agg_area_levels": ("population", "wave_id", "area_id"),
    "agg_category_levels": ("wave_id", "category_id", "provider"),
    "agg_interest_levels": ("wave_id", "skill_id"),
    "agg_cloud": ("wave_id", "kind", "provider"),
    "agg_cloud_base": ("wave_id", "kind"),
}


class RespondentRows(pa.DataFrameModel):
    source_row: Series[int] = pa.Field(ge=1, unique=True, description="Row number a spreadsheet user sees for this response.")
    respondent_id: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{32}$", description="Keyed hash of the normalised email or employee id.")
    team: Series[str] = pa.Field(nullable=True, description="Team or department as answered.")
    role: Series[str] = pa.Field(nullable=True, description="Role or job title as answered.")
    location: Series[str] = pa.Field(nullable=True, description="Office, site or country as answered.")
    submitted_at: Series[pa.DateTime] = pa.Field(nullable=True, description="When the response was submitted (local time, no zone).")

    class Config:
        coerce = True


class AnswerRows(pa.DataFrameModel):
    """Millions of rows at org scale: compact dtypes, checked rather than coerced."""

    source_row: Series[pa.Int32] = pa.Field(ge=1, description="Spreadsheet row of the response this answer came from.")
    skill_id: Series[pa.Category] = pa.Field(description="Taxonomy skill answered (categorical of skill ids).")
    level: Series[pa.Int8] = pa.Field(ge=0, le=4, description="Proficiency 0 none, 1 aware, 2 basic, 3 proficient, 4 expert.")


class CloudRows(pa.DataFrameModel):
    source_row: Series[int] = pa.Field(ge=1, description="Spreadsheet row of the response.")
    provider: Series[str] = pa.Field(isin=PROVIDERS, description="AWS, GCP, Azure, Other or None.")
    kind: Series[str] = pa.Field(isin=CLOUD_KINDS, description="preferred (single choice) or uses (multi-select).")

    class Config:
        coerce = True


class InterestRows(pa.DataFrameModel):
    source_row: Series[int] = pa.Field(ge=1, description="Spreadsheet row of the response.")
    skill_id: Series[str] = pa.Field(description="Skill the respondent wants to learn.")

    class Config:
        coerce = True


class RejectedRows(pa.DataFrameModel):
    source_row: Series[int] = pa.Field(ge=0, description="Spreadsheet row of the rejected response (0: not tied to one row).")
    column_name: Series[str] = pa.Field(nullable=True, description="Header of the offending column, if one.")
    value: Series[str] = pa.Field(nullable=True, description="The offending value (emails redacted).")
    reason: Series[str] = pa.Field(str_length={"min_value": 1}, description="Why, in plain language.")
