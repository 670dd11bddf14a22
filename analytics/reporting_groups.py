"""Reporting groups: every dashboard figure is a sum over whole groups of at least k people, so no
sequence of views can single out fewer than k (docs/privacy.md argues why and states the limits).

Per wave, the respondents are partitioned into reporting groups over the grid of every team x
role x location the filters offer (the values seen in any wave, empty combinations included):
1. a team x role x location cell of at least k people is a group of its own;
2. the rest of a team x location (its other roles) is one group if it holds at least k people;
3. the rest of a team is one group if it holds at least k;
4. what is left is one group "Other"; if it holds fewer than k (none included) it joins the
   smallest group (the first by label on a tie).
A step's decision depends only on whether a remainder reaches k, never on whether a small cell
is empty, so which selections include a group says nothing about who answered.

A selection (team / role / location filters) is served as the union of the groups that lie
wholly inside it: a group straddling the filters is left out whole. Any two selections then
differ by whole groups, i.e. by 0 or at least k people. A breakdown by team shows groups that
span several teams under OTHER_TEAMS.

The cohort view (people present in a wave and the one before) is offered for the whole
organisation only; cohort_waves() says for which waves its figures can be shown without letting
the joiners or leavers of any combination of groups be worked out.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.db import check_aggregates, fetch, per_read
from analytics.filters import Filters
from analytics.grain import source as grain_source
from analytics.sql import where_people
from schemas.canonical import NOT_GIVEN, PEOPLE

OTHER_TEAMS = "Other teams"
OTHER = "Other"
SEP = "\x1f"  # between the parts of a cell key: no team, role or location holds it
# A fine aggregate row's cell key (g: the aggregate table): wave, team, role, location joined by
# SEP, as groups() writes it in Python.
KEY_SQL = f"concat_ws(chr({ord(SEP)}), g.wave_id::VARCHAR, g.team, g.role, g.location)"


@dataclass(frozen=True)
class Served:
    """How one selection is served: per wave the people counted, and the cells to leave out."""

    filters: Filters  # the people filters only
    counted: tuple[tuple[int, int], ...]  # (wave_id, people in the groups wholly inside)
    excluded: tuple[str, ...]  # cell keys matching the filters whose group straddles them
    pooled: tuple[str, ...]  # cell keys counted, in groups spanning several teams
    pooled_counted: tuple[tuple[int, int], ...]  # (wave_id, people in those groups)

    @property
    def sizes(self) -> dict[int, int]:
        return dict(self.counted)

    def source(self, table: str, by: str | None = None) -> str:
        """The relation to read as ``g``: the rollup grain when it serves, else the fine rows."""
        fine = bool(self.excluded) or (by == "team" and bool(self.pooled))
        return grain_source(table, self.filters, by, fine=fine)

    @property
    def where(self) -> str:
        """The condition on g: the filters, minus the cells of straddling groups."""
        if not self.excluded:
            return where_people(self.filters)
        return f"{where_people(self.filters)} AND NOT list_contains($excluded::VARCHAR[], {KEY_SQL})"

    @property
    def team(self) -> str:
        """The team of a row of g for a breakdown by team (groups spanning teams: OTHER_TEAMS)."""
        if not self.pooled:
            return "g.team"
        return f"CASE WHEN list_contains($pooled::VARCHAR[], {KEY_SQL}) THEN '{OTHER_TEAMS}' ELSE g.team END"

    def params(self) -> dict:
        return {**self.filters.params(), "excluded": list(self.excluded), "pooled": list(self.pooled)}


@per_read
def groups(con: duckdb.DuckDBPyConnection, k: int) -> pd.DataFrame:
    """Every grid cell of every wave with its group: wave_id, team, role, location, n (people in
    the cell), group_id, label, group_n, n_teams (teams the group spans), key (as KEY_SQL).

    Kept per aggregate refresh (a large organisation's grid takes a second to group), so only the
    first render after a load builds it."""
    stamp = (str(check_aggregates(con)["refresh_id"]), k)
    if stamp not in _BUILT:
        _BUILT.clear()  # one refresh at a time is enough: a new load replaces the groups
        _BUILT[stamp] = _build(con, k)
    return _BUILT[stamp]  # per_read hands out copies


_BUILT: dict[tuple[str, int], pd.DataFrame] = {}


def _build(con: duckdb.DuckDBPyConnection, k: int) -> pd.DataFrame:
    cells = fetch(con, """
        SELECT wave_id, team, role, location, n_respondents AS n FROM agg_respondents WHERE population = 'all'
    """)
    universe = fetch(con, """
        SELECT DISTINCT grain, coalesce(team, role, location) AS v FROM agg_respondents_rollup
        WHERE grain IN ('team', 'role', 'location') AND population = 'all'
    """)
    values = {dim: sorted(universe.loc[universe["grain"] == dim, "v"]) for dim in PEOPLE}
    frames = [_wave_groups(wave, cells[cells["wave_id"] == wave], values, k)
              for wave in sorted(cells["wave_id"].unique())]
    if not frames:
        return pd.DataFrame(columns=["wave_id", *PEOPLE, "n", "group_id", "label", "group_n", "n_teams", "key"])
    return pd.concat(frames, ignore_index=True)


def _wave_groups(wave: int, cells: pd.DataFrame, values: dict[str, list[str]], k: int) -> pd.DataFrame:
    grid = pd.DataFrame(list(itertools.product(*(values[d] for d in PEOPLE))), columns=list(PEOPLE))
    grid = grid.merge(cells[list(PEOPLE) + ["n"]], how="left", on=list(PEOPLE))
    grid["n"] = grid["n"].fillna(0).astype("int64")
    grid["label"] = None
    free = pd.Series(True, index=grid.index)
    big = grid["n"] >= k
    grid.loc[big, "label"] = grid.loc[big, "team"] + " · " + grid.loc[big, "role"] + " · " + grid.loc[big, "location"]
    free &= ~big
    for keys in (["team", "location"], ["team"]):
        totals = grid[free].groupby(keys)["n"].transform("sum")
        take = totals.index[totals >= k]
        grid.loc[take, "label"] = (grid.loc[take, "team"] + (" · " + grid.loc[take, "location"] + " · other roles"
                                                             if len(keys) == 2 else " · other"))
        free.loc[take] = False
    rest = grid.index[free]
    if grid.loc[rest, "n"].sum() >= k or grid["label"].isna().all():
        grid.loc[rest, "label"] = OTHER
    else:  # too few left to stand alone (maybe nobody): they join the smallest group, so the
        # fewest people end up in a group that spans teams
        sizes = grid.groupby("label")["n"].sum()
        grid.loc[rest, "label"] = sizes[sizes == sizes.min()].index.min()
    grid["group_id"] = grid.groupby("label", sort=True).ngroup()
    grid["group_n"] = grid.groupby("group_id")["n"].transform("sum")
    grid["n_teams"] = grid.groupby("group_id")["team"].transform("nunique")
    grid.insert(0, "wave_id", int(wave))
    grid["key"] = grid["wave_id"].astype(str).str.cat([grid[d] for d in PEOPLE], sep=SEP)
    return grid


@per_read
def serve(con: duckdb.DuckDBPyConnection, f: Filters, k: int) -> Served:
    """How the people filters of ``f`` are served in every wave (see the module docstring)."""
    people = Filters(teams=f.teams, roles=f.roles, locations=f.locations)
    grid = groups(con, k)
    match = np.ones(len(grid), dtype=bool)
    for dim, chosen in zip(PEOPLE, (people.teams, people.roles, people.locations), strict=True):
        if chosen:
            match &= grid[dim].isin(chosen).to_numpy()
    # One number per (wave, group); a group is inside when none of its cells fails the filters.
    group = grid["wave_id"].to_numpy(dtype="int64") * (int(grid["group_id"].max()) + 1 if len(grid) else 1) \
        + grid["group_id"].to_numpy(dtype="int64")
    straddles = np.zeros(int(group.max()) + 1 if len(grid) else 0, dtype=bool)
    straddles[group[~match]] = True
    inside = ~straddles[group] if len(grid) else match
    populated = grid["n"].to_numpy() > 0
    keys = grid["key"].to_numpy()
    pooled = inside & (grid["n_teams"].to_numpy() > 1)
    n = grid["n"].to_numpy()
    return Served(
        filters=people,
        counted=_per_wave(grid["wave_id"], n, inside),
        excluded=tuple(keys[match & ~inside & populated]),
        pooled=tuple(keys[pooled & populated]),
        pooled_counted=_per_wave(grid["wave_id"], n, pooled),
    )


def _per_wave(waves: pd.Series, n: np.ndarray, rows: np.ndarray) -> tuple[tuple[int, int], ...]:
    sums = pd.Series(n[rows]).groupby(waves.to_numpy()[rows]).sum()
    return tuple((int(w), int(v)) for w, v in sums.items())


# --- the cohort ---------------------------------------------------------------------------------

@per_read
def cohort_waves(con: duckdb.DuckDBPyConnection, k: int) -> tuple[int, ...]:
    """The waves whose whole-organisation cohort figures (this wave and the one before) may be
    shown. Waves are taken in order; a wave's comparison is allowed when, with the comparisons
    allowed so far, no combination of the published figures of either wave isolates fewer than
    k people (_isolates_fewer_than)."""
    types = _presence_types(con)
    order = fetch(con, "SELECT wave_id, prev_wave_id FROM agg_wave_order ORDER BY seq")
    grid = groups(con, k)
    group_of = {(int(r.wave_id), r.team, r.role, r.location): int(r.group_id)
                for r in grid[grid["n"] > 0].itertuples(index=False)}
    types["group_id"] = [group_of[(int(r.wave_id), r.team, r.role, r.location)]
                         for r in types.itertuples(index=False)]
    prev_of = {int(w): int(p) for w, p in zip(order["wave_id"], order["prev_wave_id"], strict=True) if pd.notna(p)}
    next_of = {p: w for w, p in prev_of.items()}
    allowed: set[int] = set()
    for wave, prev in prev_of.items():  # survey order
        trial = allowed | {wave}
        if not any(_isolates_fewer_than(types, w, trial, next_of, k) for w in (prev, wave)):
            allowed.add(wave)
    return tuple(sorted(allowed, key=list(prev_of).index))


def _presence_types(con) -> pd.DataFrame:
    """Per wave and cell: people by whether they answered the previous wave (c) and the next (d)."""
    return fetch(con, f"""
        WITH p AS (
            SELECT wave_id, respondent_id,
                   coalesce(nullif(trim(team), ''), '{NOT_GIVEN}') AS team,
                   coalesce(nullif(trim(role), ''), '{NOT_GIVEN}') AS role,
                   coalesce(nullif(trim(location), ''), '{NOT_GIVEN}') AS location
            FROM respondents
        )
        SELECT p.wave_id, p.team, p.role, p.location,
               prev.respondent_id IS NOT NULL AS c, nxt.respondent_id IS NOT NULL AS d, count(*) AS m
        FROM p JOIN agg_wave_order o USING (wave_id)
        LEFT JOIN agg_wave_order o2 ON o2.prev_wave_id = p.wave_id
        LEFT JOIN respondents prev ON prev.wave_id = o.prev_wave_id AND prev.respondent_id = p.respondent_id
        LEFT JOIN respondents nxt ON nxt.wave_id = o2.wave_id AND nxt.respondent_id = p.respondent_id
        GROUP BY ALL
    """)


# Coefficients (b, d) of the cohort sets C (answered the previous wave too) and D (the next too)
# in a combination sum_i a_i * group_i + b * C + d * D. For it to be a 0/1 vector, within each
# group the values b*c + d*d of the people there take at most two values one apart; which of
# b, d, b + d, b - d are 0 or +-1 decides the outcome. Every pattern of that is met at one of
# these points: the half-integer grid (two constraints) and generic points on each constraint
# line (one constraint; _G is irrational-like, so nothing else holds by accident).
_G = 0.3183098861837907
_DELTAS = (-1.0, 0.0, 1.0)
_CANDIDATES = (
    [(x / 2, y / 2) for x in range(-4, 5) for y in range(-4, 5)]
    + [(d, _G) for d in _DELTAS] + [(_G, d) for d in _DELTAS]
    + [(_G, d - _G) for d in _DELTAS] + [(_G, _G - d) for d in _DELTAS]
)


def _isolates_fewer_than(types: pd.DataFrame, wave: int, allowed: set[int], next_of: dict[int, int],
                         k: int) -> bool:
    """True when, in ``wave``, the groups plus the cohort sets published with ``allowed`` let some
    0/1 combination single out between 1 and k-1 people."""
    rows = types[types["wave_id"] == wave]
    use_c = wave in allowed  # C is published by this wave's comparison, D by the next wave's
    use_d = next_of.get(wave) in allowed
    c = rows["c"].to_numpy(dtype=bool) & use_c
    d = rows["d"].to_numpy(dtype=bool) & use_d
    if not (c.any() or d.any()):
        return False
    frame = pd.DataFrame({"g": rows["group_id"].to_numpy(), "c": c, "d": d, "m": rows["m"].to_numpy()})
    frame = frame.groupby(["g", "c", "d"], as_index=False)["m"].sum()  # sorted by group
    group = frame["g"].to_numpy()
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    index = np.cumsum(np.r_[True, group[1:] != group[:-1]]) - 1  # row -> its group's position
    cs, ds, m = frame["c"].to_numpy(dtype=float), frame["d"].to_numpy(dtype=float), frame["m"].to_numpy()
    for b, e in _CANDIDATES:
        u = cs * b + ds * e
        low, high = np.minimum.reduceat(u, starts)[index], np.maximum.reduceat(u, starts)[index]
        span = high - low
        two = np.abs(span - 1) < 1e-9  # the group splits: the combination takes its upper part
        if not ((np.abs(span) < 1e-9) | two).all():
            continue
        if not (np.minimum(np.abs(u - low), np.abs(u - high)) < 1e-9).all():
            continue  # three values in some group: no 0/1 combination here
        forced = int(m[two & (np.abs(u - high) < 1e-9)].sum())
        if 0 < forced < k:
            return True
    return False
