"""Which aggregate rows answer a query: the rollup at the coarsest grain that still has the
people columns the filters (and a breakdown) need, else the fine team x role x location rows.

With no people filter a page sums a few thousand 'total' rows instead of millions of fine ones;
a filter on teams alone (or the by-team heatmap) reads the 'team' rows. Two or more people
columns at once need the fine table. The rollup tables are described in the README's data dictionary.
"""
from __future__ import annotations

from analytics.filters import Filters
from schemas.canonical import PEOPLE  # the people columns the rollups sum away, one grain each


def grain(f: Filters, by: str | None = None) -> str | None:
    """'total', 'team', 'role', 'location', or None for the fine rows."""
    needed = {dim for dim, chosen in zip(PEOPLE, (f.teams, f.roles, f.locations), strict=True) if chosen}
    if by is not None:
        if by not in PEOPLE:
            raise ValueError(f"by must be one of {PEOPLE}, got {by!r}")
        needed.add(by)
    if not needed:
        return "total"
    return needed.pop() if len(needed) == 1 else None


def source(table: str, f: Filters, by: str | None = None, fine: bool = False) -> str:
    """A relation to alias as ``g`` with ``table``'s columns, at the coarsest grain that serves
    ``f`` (and the ``by`` breakdown); ``fine``: the fine rows regardless (a selection that leaves
    out single cells, analytics/reporting_groups.py). ``table`` is a fixed name from the caller
    and the grain a fixed word, so composing them into SQL binds no user value."""
    level = None if fine else grain(f, by)
    return table if level is None else f"(SELECT * FROM {table}_rollup WHERE grain = '{level}')"
