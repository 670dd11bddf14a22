"""Cloud preference split and the AWS / GCP / Azure service parity matrix.

- preferred: each respondent names one provider; shares of those who answered sum to 100%.
- uses: respondents name every provider they use; each share is of those who answered the
  question (respondents with at least one 'uses' row), so shares add up to more than 100%.
- parity matrix: for each service category of the seed's table and each provider, the share of
  respondents who answered one of that provider's skills in the category and are at or above
  the threshold in at least one of them.
"""
from __future__ import annotations

import pandas as pd

from analytics import selection
from analytics.db import check_aggregates, fetch, reader
from analytics.filters import Filters
from analytics.reporting_groups import serve
from analytics.settings import Settings
from analytics.sql import LEVEL_SUMS, PROFICIENT, share
from analytics.suppression import apply_mask, hidden_cells, suppress
from analytics.waves import resolve
from schemas.metrics import CloudSplitFrame, ParityMatrixFrame

KINDS = ("preferred", "uses")
BREAKDOWNS = ("all", "team", "wave")
_PROVIDERS = "(VALUES ('AWS', 1), ('GCP', 2), ('Azure', 3), ('Other', 4), ('None', 5)) AS p(provider, provider_order)"

# The group column and which waves count, per breakdown (fixed SQL; values stay bound).
_GROUPING = {
    "all": ("'All'", "0", "g.wave_id = $wave"),
    "team": ("g.team", "0", "g.wave_id = $wave"),
    "wave": ("w.label", "o.seq", "TRUE"),
}


def cloud_preferred_split(db: str, f: Filters, s: Settings, by: str = "all") -> pd.DataFrame:
    """Preferred-provider shares per group ('all': the selection; 'team'; 'wave': every wave)."""
    return _split(db, f, s, "preferred", by)


def cloud_uses_share(db: str, f: Filters, s: Settings, by: str = "all") -> pd.DataFrame:
    """Share of those who answered the 'uses' question who use each provider, per group."""
    return _split(db, f, s, "uses", by)


def cloud_parity_matrix(db: str, f: Filters, s: Settings) -> pd.DataFrame:
    """Category x provider coverage for the selected wave (area filters do not apply: the
    categories cut across areas)."""
    with reader(db) as con:
        check_aggregates(con)
        wave = resolve(con, f.wave_id)
        if wave is None:
            return ParityMatrixFrame.validate(pd.DataFrame({c: [] for c in ParityMatrixFrame.to_schema().columns}))
        people = serve(con, f, s.k)
        frame = fetch(con, f"""
            WITH cells AS (
                SELECT g.category_id, g.provider, {LEVEL_SUMS}
                FROM {people.source('agg_category_levels')} g
                WHERE g.wave_id = $wave AND {people.where}
                GROUP BY ALL
            ),
            grid AS (
                SELECT category_id, provider, min(sort_order) AS sort_order, any_value({f.name_column}) AS category_name
                FROM service_categories GROUP BY ALL
            )
            SELECT x.category_id, x.category_name, x.provider, coalesce(c.n_answered, 0) AS n_answered,
                   coalesce({PROFICIENT}, 0) AS n_proficient, {share(PROFICIENT, 'c.n_answered')} AS coverage
            FROM grid x LEFT JOIN cells c USING (category_id, provider)
            ORDER BY x.sort_order, x.category_id, CASE x.provider WHEN 'AWS' THEN 1 WHEN 'GCP' THEN 2 ELSE 3 END
        """, {**f.params(), **people.params(), "wave": wave.wave_id, "threshold": s.threshold})
        size = people.sizes.get(wave.wave_id, 0)
    frame = suppress(frame, "n_answered", ["n_proficient", "coverage"], s.k)
    if selection.too_small(size, s.k):
        frame = selection.hide_rows(frame, pd.Series(True, index=frame.index), ["n_answered", "n_proficient", "coverage"])
    return ParityMatrixFrame.validate(frame)


def _split(db: str, f: Filters, s: Settings, kind: str, by: str) -> pd.DataFrame:
    if kind not in KINDS or by not in BREAKDOWNS:
        raise ValueError(f"kind must be one of {KINDS} and by one of {BREAKDOWNS}")
    group, order, waves = _GROUPING[by]
    with reader(db) as con:
        check_aggregates(con)
        wave = resolve(con, f.wave_id)
        if wave is None:
            return CloudSplitFrame.validate(pd.DataFrame({c: [] for c in CloudSplitFrame.to_schema().columns}))
        people = serve(con, f, s.k)
        people_by = "team" if by == "team" else None
        group = people.team if by == "team" else group
        rows = f"""
            FROM {{table}} g JOIN agg_wave_order o USING (wave_id) JOIN waves w USING (wave_id)
            WHERE g.kind = $kind AND {waves} AND {people.where}
        """
        frame = fetch(con, f"""
            WITH base AS (
                SELECT {group} AS "group", {order} AS group_order, min(o.wave_id) AS wave_id,
                       sum(g.n_respondents) AS n_base
                {rows.format(table=people.source("agg_cloud_base", by=people_by))} GROUP BY ALL
                HAVING count(*) > 0  -- the 'All' group is a constant: no rows must mean no group
            ),
            counts AS (
                SELECT {group} AS "group", g.provider, sum(g.n_respondents) AS n_respondents
                {rows.format(table=people.source("agg_cloud", by=people_by))} GROUP BY ALL
            )
            SELECT $kind AS kind, b."group", b.group_order, b.wave_id, p.provider, b.n_base,
                   coalesce(c.n_respondents, 0) AS n_respondents,
                   {share('coalesce(c.n_respondents, 0)', 'b.n_base')} AS share
            FROM base b CROSS JOIN {_PROVIDERS}
            LEFT JOIN counts c ON c."group" = b."group" AND c.provider = p.provider
            ORDER BY b.group_order, b."group", p.provider_order
        """, {**f.params(), **people.params(), "wave": wave.wave_id, "kind": kind})
        sizes = people.sizes
    groups = frame.drop_duplicates("group")[["group", "n_base", "wave_id"]].reset_index(drop=True)
    # Teams add up to the selection's total, so a hidden team needs a complement; waves do not.
    hidden = hidden_cells(groups["n_base"], groups, s.k, partitions=[[]] if by == "team" else [])
    small = groups["wave_id"].map(lambda w: selection.too_small(sizes.get(int(w), 0), s.k)).astype(bool)
    hidden_groups = set(groups.loc[hidden.to_numpy() | small.to_numpy(), "group"])
    frame = apply_mask(frame, frame["group"].isin(hidden_groups), ["n_base", "n_respondents", "share"])
    return CloudSplitFrame.validate(frame.drop(columns="wave_id"))
