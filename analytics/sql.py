"""SQL fragments shared by the metric modules (code constants only: values are always bound)."""
from analytics.filters import AREA_SQL, PEOPLE_SQL, Filters

LEVELS = range(5)
# Sums of the per-level counts of an aggregate table aliased g.
LEVEL_SUMS = "sum(g.n_answered) AS n_answered, " + ", ".join(f"sum(g.n_l{n}) AS n_l{n}" for n in LEVELS)
# Respondents at or above $threshold, from n_l0..n_l4 columns.
PROFICIENT = "(" + " + ".join(f"CASE WHEN {n} >= $threshold THEN n_l{n} ELSE 0 END" for n in LEVELS) + ")"


def where_people(f: Filters) -> str:
    """The people filters as a condition on g, or TRUE when none is set: a filter that can't
    exclude anything still costs DuckDB's planner about 1 ms a statement, on every first render."""
    return PEOPLE_SQL if f.people_filtered else "TRUE"


def where_area(f: Filters) -> str:
    """The track / area filters as a condition on sa, or TRUE when none is set."""
    return AREA_SQL if f.track is not None or f.areas else "TRUE"


def share(numerator: str, denominator: str) -> str:
    """numerator / denominator as DOUBLE, NULL when the denominator is 0."""
    return f"CAST({numerator} AS DOUBLE) / nullif({denominator}, 0)"
