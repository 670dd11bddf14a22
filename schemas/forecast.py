"""The frame analytics/forecast.py hands to pages."""
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.metrics import MetricFrame

OUTLOOKS = ["reached", "on_pace", "not_at_this_pace", "no_pace", "no_target", "hidden"]


def _share(description: str):
    return pa.Field(nullable=True, ge=0, le=1, description=description)


class ForecastFrame(MetricFrame):
    area_id: Series[str] = pa.Field(description="Area id.")
    area_name: Series[str] = pa.Field(description="Area name in the chosen language.")
    coverage: Series[float] = _share("Area coverage in the selected wave (analytics.coverage.area_coverage).")
    n_answered: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description="Respondents behind it.")
    pace: Series[float] = pa.Field(nullable=True, ge=-1, le=1, description="Mean change per wave of the cohort present in both waves of each pair, up to the selected wave.")
    n_pairs: Series[int] = pa.Field(ge=0, description="Wave pairs the pace is averaged over.")
    forecast_1: Series[float] = _share("Projected coverage one wave ahead (clipped to 0-1).")
    low_1: Series[float] = _share("Lower end of its 90% interval.")
    high_1: Series[float] = _share("Upper end of its 90% interval.")
    forecast_2: Series[float] = _share("Projected coverage two waves ahead.")
    low_2: Series[float] = _share("Lower end of its 90% interval.")
    high_2: Series[float] = _share("Upper end of its 90% interval.")
    target: Series[float] = _share("Target coverage (data/targets.yaml), if any.")
    waves_to_target: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description="Waves until the target at the current pace (0: reached); null when it won't be or can't be said.")
    outlook: Series[str] = pa.Field(isin=OUTLOOKS, description="reached, on_pace, not_at_this_pace (pace 0 or falling), no_pace (no earlier wave), no_target, hidden (under k).")
    outlook_text: Series[str] = pa.Field(description="The outlook as a sentence in the chosen language.")
    pipeline: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, description="People below the threshold who want to learn one of the area's skills (at least; the largest count over its skills).")
    suppressed: Series[bool] = pa.Field(description="True where the area's coverage is hidden by the minimum group size.")
