"""SQL fragments shared by the metric modules (code constants only: values are always bound)."""
from analytics.filters import AREA_SQL, PEOPLE_SQL

LEVELS = range(5)
# Sums of the per-level counts of an aggregate table aliased g.
LEVEL_SUMS = "sum(g.n_answered) AS n_answered, " + ", ".join(f"sum(g.n_l{n}) AS n_l{n}" for n in LEVELS)
# Respondents at or above $threshold, from n_l0..n_l4 columns.
PROFICIENT = "(" + " + ".join(f"CASE WHEN {n} >= $threshold THEN n_l{n} ELSE 0 END" for n in LEVELS) + ")"
WHERE_PEOPLE = PEOPLE_SQL
WHERE_AREA = AREA_SQL


def share(numerator: str, denominator: str) -> str:
    """numerator / denominator as DOUBLE, NULL when the denominator is 0."""
    return f"CAST({numerator} AS DOUBLE) / nullif({denominator}, 0)"
