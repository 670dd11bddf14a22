"""The frames the read side (analytics/) hands to the pages.

Counts are nullable (Int64) and shares NaN where a cell is hidden by the minimum group size;
``suppressed`` says which rows those are. Shares are 0-1.
"""
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

PROVIDER_CHOICES = ["AWS", "GCP", "Azure", "Other", "None"]


def _count(description: str):
    return pa.Field(nullable=True, ge=0, description=description)


def _share(description: str):
    return pa.Field(nullable=True, ge=0, le=1, description=description)


_SUPPRESSED = "True where the cell describes fewer than k people (or was hidden to protect such a cell)."


class MetricFrame(pa.DataFrameModel):
    """What every frame the read side hands to the pages shares: coerced, no extra columns."""

    class Config:
        coerce = True
        strict = True


class WaveFrame(MetricFrame):
    wave_id: Series[int] = pa.Field(unique=True, description="Wave id (waves.wave_id).")
    label: Series[str] = pa.Field(description="Wave label, e.g. 2024-H1.")
    survey_date: Series[pd.Timestamp] = pa.Field(nullable=True, description="Date the wave was surveyed, if known.")
    seq: Series[int] = pa.Field(ge=1, description="Position in survey order, 1 = oldest.")
    prev_wave_id: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="The wave before this one, if any.")


class AreaOptionFrame(MetricFrame):
    area_id: Series[str] = pa.Field(description="Area id (skill_areas.area_id).")
    area_name: Series[str] = pa.Field(description="Area name in the chosen language.")
    track: Series[str] = pa.Field(description="Track the area belongs to (DevOps, MLOps ...).")


class SkillCoverageFrame(MetricFrame):
    skill_id: Series[str] = pa.Field(description="Skill id.")
    skill_name: Series[str] = pa.Field(description="Skill name in the chosen language.")
    area_id: Series[str] = pa.Field(description="Area the skill belongs to.")
    area_name: Series[str] = pa.Field(description="Area name in the chosen language.")
    track: Series[str] = pa.Field(description="Track of the area.")
    n_answered: Series[pd.Int64Dtype] = _count("Respondents in the selection who answered the skill.")
    n_proficient: Series[pd.Int64Dtype] = _count("Of those, respondents at or above the proficient threshold.")
    coverage: Series[float] = _share("n_proficient / n_answered.")
    suppressed: Series[bool] = pa.Field(description=_SUPPRESSED)


class AreaCoverageFrame(MetricFrame):
    area_id: Series[str] = pa.Field(description="Area id.")
    area_name: Series[str] = pa.Field(description="Area name in the chosen language.")
    track: Series[str] = pa.Field(description="Track of the area.")
    n_answered: Series[pd.Int64Dtype] = _count("Respondents who answered at least one skill of the area.")
    n_proficient: Series[pd.Int64Dtype] = _count("Of those, respondents whose best level in the area is at or above the threshold.")
    coverage: Series[float] = _share("n_proficient / n_answered.")
    target: Series[float] = _share("Target coverage for the area (data/targets.yaml), if any.")
    gap: Series[float] = pa.Field(nullable=True, ge=-1, le=1, description="target - coverage; positive means below target.")
    suppressed: Series[bool] = pa.Field(description=_SUPPRESSED)


class AreaTeamCoverageFrame(MetricFrame):
    area_id: Series[str] = pa.Field(description="Area id.")
    area_name: Series[str] = pa.Field(description="Area name in the chosen language.")
    team: Series[str] = pa.Field(description="Team of the respondents in the cell.")
    n_answered: Series[pd.Int64Dtype] = _count("Respondents of the team who answered at least one skill of the area.")
    n_proficient: Series[pd.Int64Dtype] = _count("Of those, respondents whose best level in the area is at or above the threshold.")
    coverage: Series[float] = _share("n_proficient / n_answered.")
    suppressed: Series[bool] = pa.Field(description=_SUPPRESSED)


class LevelDistributionFrame(MetricFrame):
    skill_id: Series[str] = pa.Field(description="Skill id.")
    skill_name: Series[str] = pa.Field(description="Skill name in the chosen language.")
    area_name: Series[str] = pa.Field(description="Area name in the chosen language.")
    level: Series[int] = pa.Field(ge=0, le=4, description="Proficiency level 0-4.")
    level_label: Series[str] = pa.Field(description="Name of the level in the chosen language.")
    n: Series[pd.Int64Dtype] = _count("Respondents who answered the skill at this level.")
    share: Series[float] = _share("n / n_answered.")
    n_answered: Series[pd.Int64Dtype] = _count("Respondents in the selection who answered the skill.")
    suppressed: Series[bool] = pa.Field(description=_SUPPRESSED)


class BenchDepthFrame(MetricFrame):
    skill_id: Series[str] = pa.Field(description="Skill id (every skill asked in the wave).")
    skill_name: Series[str] = pa.Field(description="Skill name in the chosen language.")
    area_name: Series[str] = pa.Field(description="Area name in the chosen language.")
    n_answered: Series[pd.Int64Dtype] = _count("Respondents in the selection who answered the skill.")
    bench: Series[pd.Int64Dtype] = _count("Bench depth: respondents at or above the proficient threshold.")
    single_point: Series[pd.BooleanDtype] = pa.Field(nullable=True, description="bench <= the single-point limit (a skill that hangs on one person or nobody).")
    suppressed: Series[bool] = pa.Field(description=_SUPPRESSED)


class UpskillingFrame(MetricFrame):
    skill_id: Series[str] = pa.Field(description="Skill id.")
    skill_name: Series[str] = pa.Field(description="Skill name in the chosen language.")
    area_name: Series[str] = pa.Field(description="Area name in the chosen language.")
    n_respondents: Series[pd.Int64Dtype] = _count("Respondents in the selection (the group the counts describe).")
    n_interested: Series[pd.Int64Dtype] = _count("Respondents who want to learn the skill.")
    n_pipeline: Series[pd.Int64Dtype] = _count("Of those, respondents below the threshold or who did not rate the skill.")
    suppressed: Series[bool] = pa.Field(description=_SUPPRESSED)


class CloudSplitFrame(MetricFrame):
    kind: Series[str] = pa.Field(isin=["preferred", "uses"], description="preferred (one per person) or uses (several).")
    group: Series[str] = pa.Field(description="The breakdown value: 'All', a team, or a wave label.")
    group_order: Series[int] = pa.Field(description="Sort order of the groups (wave order for waves).")
    provider: Series[str] = pa.Field(isin=PROVIDER_CHOICES, description="Cloud provider.")
    n_base: Series[pd.Int64Dtype] = _count("Respondents in the group with at least one answer of this kind.")
    n_respondents: Series[pd.Int64Dtype] = _count("Of those, respondents who named the provider.")
    share: Series[float] = _share("n_respondents / n_base (preferred shares sum to 1 per group).")
    suppressed: Series[bool] = pa.Field(description=_SUPPRESSED)


class ParityMatrixFrame(MetricFrame):
    category_id: Series[str] = pa.Field(description="Service category id (vm, storage ...).")
    category_name: Series[str] = pa.Field(description="Category name in the chosen language.")
    provider: Series[str] = pa.Field(isin=["AWS", "GCP", "Azure"], description="Cloud provider.")
    n_answered: Series[pd.Int64Dtype] = _count("Respondents who answered at least one of the provider's skills in the category.")
    n_proficient: Series[pd.Int64Dtype] = _count("Of those, respondents at or above the threshold in at least one of them.")
    coverage: Series[float] = _share("n_proficient / n_answered.")
    suppressed: Series[bool] = pa.Field(description=_SUPPRESSED)


class AreaTrendFrame(MetricFrame):
    wave_id: Series[int] = pa.Field(description="Wave id.")
    wave_label: Series[str] = pa.Field(description="Wave label.")
    seq: Series[int] = pa.Field(ge=1, description="Position in survey order.")
    population: Series[str] = pa.Field(isin=["all", "cohort"], description="all respondents, or the cohort present in this and the previous wave.")
    area_id: Series[str] = pa.Field(description="Area id.")
    area_name: Series[str] = pa.Field(description="Area name in the chosen language.")
    n_answered: Series[pd.Int64Dtype] = _count("Respondents who answered the area in this wave.")
    coverage: Series[float] = _share("Area coverage in this wave.")
    prev_n_answered: Series[pd.Int64Dtype] = _count("Same, in the previous wave (for the cohort: the same people).")
    prev_coverage: Series[float] = _share("Area coverage in the previous wave.")
    delta: Series[float] = pa.Field(nullable=True, ge=-1, le=1, description="coverage - prev_coverage, over what both waves asked; NaN where withheld (comparable False) or hidden.")
    delta_pp: Series[float] = pa.Field(nullable=True, ge=-100, le=100, description="delta in percentage points (delta x 100).")
    ci_low: Series[float] = _share("Lower end of the 95% Wilson interval of coverage.")
    ci_high: Series[float] = _share("Upper end of the 95% Wilson interval of coverage.")
    n_skills_asked: Series[int] = pa.Field(ge=0, description="Skills of the area this wave asked about (question_skills).")
    prev_n_skills_asked: Series[pd.Int64Dtype] = _count("Skills of the area the previous wave asked about.")
    n_skills_common: Series[pd.Int64Dtype] = _count("Skills of the area both waves asked about.")
    comparable: Series[bool] = pa.Field(description="True when both waves asked the same skills of the area, so the delta means a change.")
    suppressed: Series[bool] = pa.Field(description=_SUPPRESSED)


class MoversFrame(MetricFrame):
    skill_id: Series[str] = pa.Field(description="Skill id.")
    skill_name: Series[str] = pa.Field(description="Skill name in the chosen language.")
    area_name: Series[str] = pa.Field(description="Area name in the chosen language.")
    direction: Series[str] = pa.Field(isin=["riser", "faller"], description="riser: coverage went up since the previous wave.")
    prev_coverage: Series[float] = _share("Skill coverage in the previous wave.")
    coverage: Series[float] = _share("Skill coverage in the selected wave.")
    delta: Series[float] = pa.Field(ge=-1, le=1, description="coverage - prev_coverage.")
    delta_pp: Series[float] = pa.Field(ge=-100, le=100, description="delta in percentage points (delta x 100).")
    n_answered: Series[int] = pa.Field(ge=0, description="Respondents who answered the skill in the selected wave.")
    prev_n_answered: Series[int] = pa.Field(ge=0, description="Respondents who answered it in the previous wave.")
    ci_low: Series[float] = _share("Lower end of the 95% Wilson interval of coverage.")
    ci_high: Series[float] = _share("Upper end of the 95% Wilson interval of coverage.")
    prev_ci_low: Series[float] = _share("Lower end of the 95% Wilson interval of prev_coverage.")
    prev_ci_high: Series[float] = _share("Upper end of the 95% Wilson interval of prev_coverage.")
    question: Series[str] = pa.Field(description="The question(s) of the selected wave that asked about the skill (question_skills), ' / '-joined.")


class RespondentTrendFrame(MetricFrame):
    wave_id: Series[int] = pa.Field(description="Wave id.")
    wave_label: Series[str] = pa.Field(description="Wave label.")
    seq: Series[int] = pa.Field(ge=1, description="Position in survey order.")
    n_respondents: Series[pd.Int64Dtype] = _count("Respondents in the selection.")
    headcount: Series[pd.Int64Dtype] = _count("Invited headcount for the selection (data/headcount.yaml), if known.")
    response_rate: Series[float] = pa.Field(nullable=True, ge=0, description="n_respondents / headcount.")
    suppressed: Series[bool] = pa.Field(description=_SUPPRESSED)


class HeadlineFrame(MetricFrame):
    wave_id: Series[int] = pa.Field(description="The selected wave.")
    wave_label: Series[str] = pa.Field(description="Its label.")
    prev_wave_label: Series[str] = pa.Field(nullable=True, description="The previous wave's label, if any.")
    n_respondents: Series[pd.Int64Dtype] = _count("Respondents in the selection (hidden under k).")
    response_rate: Series[float] = pa.Field(nullable=True, ge=0, description="n_respondents / invited headcount, if known.")
    coverage_index: Series[float] = _share("Org coverage index: mean area coverage over the areas shown.")
    coverage_index_prev: Series[float] = _share("The same index in the previous wave.")
    coverage_index_delta: Series[float] = pa.Field(nullable=True, ge=-1, le=1, description="Like-for-like change since the previous wave: the mean change of the areas both waves asked the same skills of; NaN when there are none.")
    n_areas_compared: Series[int] = pa.Field(ge=0, description="Areas the change is over (both waves asked the same skills of them and both are shown).")
    n_single_points: Series[pd.Int64Dtype] = _count("Skills whose bench depth is at or below the single-point limit.")
    suppressed: Series[bool] = pa.Field(description="True when the whole selection is smaller than k.")


class SelectionFrame(MetricFrame):
    status: Series[str] = pa.Field(isin=["no_data", "no_wave", "empty", "too_small", "ok"], description="no_data: no waves loaded; no_wave: the chosen wave is gone; empty: nobody matches; too_small: fewer than k match; ok.")
    wave_id: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="The selected wave, if any.")
    wave_label: Series[str] = pa.Field(nullable=True, description="Its label.")
    n_respondents: Series[pd.Int64Dtype] = _count("Respondents matching the filters in that wave (hidden when too_small).")
    k: Series[int] = pa.Field(ge=1, description="The minimum group size in force.")
