"""The public reference figures (data/reference/reference_figures.csv) and what pages get of them."""
import pandera.pandas as pa
from pandera.typing import Series

from schemas.metrics import MetricFrame


class ReferenceFigureFrame(MetricFrame):
    population: Series[str] = pa.Field(description="Id of the public population (one question of one survey).")
    source: Series[str] = pa.Field(description="The survey.")
    year: Series[int] = pa.Field(ge=2000, le=2100, description="Year of the survey.")
    question: Series[str] = pa.Field(description="What was asked, in short.")
    answer: Series[str] = pa.Field(description="The option counted.")
    provider: Series[str] = pa.Field(nullable=True, isin=["AWS", "GCP", "Azure"], description="Cloud provider the answer is about, if any.")
    skill_id: Series[str] = pa.Field(nullable=True, description="Taxonomy skill the answer is about, if any.")
    count: Series[int] = pa.Field(ge=0, description="Respondents who gave the answer.")
    base: Series[int] = pa.Field(gt=0, description="Respondents who answered the question.")
    share: Series[float] = pa.Field(ge=0, le=1, description="count / base.")
    sample: Series[str] = pa.Field(description="'full file', or which part of the public file was read.")
    licence: Series[str] = pa.Field(description="Terms of the source data.")
    file: Series[str] = pa.Field(description="The file the figure was computed from.")


class BesideReferenceFrame(MetricFrame):
    key: Series[str] = pa.Field(description="Provider (cloud) or skill id the row compares.")
    name: Series[str] = pa.Field(description="What the row is about, for display.")
    org_share: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="The organisation's figure (hidden under k).")
    reference_share: Series[float] = pa.Field(ge=0, le=1, description="The public population's share.")
    reference_base: Series[int] = pa.Field(gt=0, description="Respondents behind the public share.")
    suppressed: Series[bool] = pa.Field(description="True where the organisation's figure is hidden by the minimum group size.")
