"""The adversary of issue 18: with only the dashboards' views and their CSV downloads, work out a
person's answers or any figure of a group under k. Every recovered value is counted; there must
be none (docs/privacy.md, "Dashboards: the minimum group size").

The attacker knows the organisation chart (everyone's team, role and location per wave) and the
method: for each figure it is told exactly which respondents the figure sums (an oracle, stronger
than any real attacker; the suite checks that every published figure equals the sum over that set,
computed independently from the base tables, so the oracle tells the truth). It then treats every
published number as a linear equation in the respondents' values and solves: a target set of
people (one person, a small cell, a small team x location, the joiners or leavers of a wave ...)
is recovered when its indicator lies in the span of the published sets, for each figure it has.
That covers every attack class at once: complements within and across dimensions, unions minus
parts, across waves and populations (each wave's records are their own unknowns; the cohort
links them), and downloads (the numbers are read back from the CSV bytes the page offers).

test_the_attacker_recovers_values_without_reporting_groups shows the attacker is capable: with
selections served exactly as filtered (the old behaviour) it recovers hundreds of values.
"""
from __future__ import annotations

import csv
import io
import itertools
import random
from collections import defaultdict

import duckdb
import numpy as np
import pandas as pd
import pytest

from analytics import reporting_groups
from analytics.coverage import area_team_coverage
from analytics.db import reader, reading
from analytics.export import to_csv_bytes
from analytics.filters import Filters
from analytics.overview import respondent_trend
from analytics.settings import Settings
from analytics.trends import area_coverage_trend
from pipelines import aggregates, taxonomy
from pipelines.db import writer

K = 5
S = Settings(k=K, threshold=3)
PEOPLE = ("team", "role", "location")


# --- organisations ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    from pipelines import demo

    root = tmp_path_factory.mktemp("attack_demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SKILLS_SECRET_FILE", str(root / "secret.key"))
        db = str(root / "demo.duckdb")
        demo.build_demo(db, out_dir=root / "exports")
    return db


RANDOM_SKILLS = ("terraform", "docker", "kubernetes", "aws_ec2", "gcp_gce", "python")


def build_random_org(path: str, seed: int) -> None:
    """Three waves of a small organisation with many cells under k and ~20% churn a wave."""
    rng = random.Random(seed)
    teams, roles, locations = ["Alpha", "Beta", "Gamma"], ["Eng", "Lead", "Mgr"], ["North", "South"]
    weights = {"Eng": 6, "Lead": 2, "Mgr": 1}
    people: dict[str, tuple[str, str, str]] = {}
    next_id = 0

    def hire(n: int) -> None:
        nonlocal next_id
        for _ in range(n):
            people[f"r{seed}_{next_id}"] = (rng.choice(teams), rng.choices(roles, [weights[r] for r in roles])[0],
                                            rng.choices(locations, [3, 1])[0])
            next_id += 1

    hire(rng.randint(36, 48))
    with writer(path) as con:
        con.execute("BEGIN TRANSACTION")
        taxonomy.sync(con, taxonomy.builtin())
        for wave in (1, 2, 3):
            if wave > 1:
                for rid in rng.sample(sorted(people), k=len(people) // 6):
                    del people[rid]
                hire(rng.randint(4, 9))
            con.execute("INSERT INTO waves VALUES (?, ?, ?)", [wave, f"W{wave}", f"2024-0{wave}-01"])
            con.execute("INSERT INTO ingestions VALUES (?, ?, 'org.csv', 'sha', now()::TIMESTAMP, ?, ?, 0, "
                        "'loaded', 'test', 'pytest')", [wave, wave, len(people), len(people)])
            # Every wave asks every skill, so the trends' changes are all shown (and attacked).
            con.executemany("INSERT INTO question_skills VALUES (?, ?, 'skills', ?)",
                            [[wave, wave, skill] for skill in RANDOM_SKILLS])
            answering = [rid for rid in sorted(people) if rng.random() < 0.9]
            for rid in answering:
                con.execute("INSERT INTO respondents VALUES (?, ?, ?, ?, ?, ?, NULL)", [wave, rid, wave, *people[rid]])
                con.executemany("INSERT INTO answers VALUES (?, ?, ?, ?, ?)",
                                [[wave, rid, skill, rng.randint(0, 4), wave] for skill in RANDOM_SKILLS
                                 if rng.random() < 0.85])
                con.execute("INSERT INTO cloud_preferences VALUES (?, ?, ?, 'preferred', ?)",
                            [wave, rid, rng.choice(["AWS", "GCP", "Azure"]), wave])
        aggregates.refresh(con)
        con.execute("COMMIT")


@pytest.fixture(scope="module")
def random_dbs(tmp_path_factory) -> list[str]:
    root = tmp_path_factory.mktemp("attack_random")
    paths = []
    for seed in (11, 23):
        path = str(root / f"org{seed}.duckdb")
        build_random_org(path, seed)
        paths.append(path)
    return paths


# --- what the attacker knows ------------------------------------------------------------------

class Truth:
    """The organisation chart and, for checking only, every respondent's values (from the base
    tables, not the aggregates): per wave a frame indexed by respondent with one column per figure."""

    def __init__(self, db: str):
        con = duckdb.connect(db, read_only=True)
        try:
            self.people = con.execute(f"""
                SELECT wave_id, respondent_id, {", ".join(
                    f"coalesce(nullif(trim({c}), ''), '(not given)') AS {c}" for c in PEOPLE)}
                FROM respondents ORDER BY wave_id, respondent_id
            """).df()
            best = con.execute("""
                SELECT a.wave_id, a.respondent_id, s.area_id, max(a.level) AS best
                FROM answers a JOIN skills s USING (skill_id) GROUP BY ALL
            """).df()
            self.waves = con.execute("SELECT wave_id, prev_wave_id FROM agg_wave_order ORDER BY seq").df()
        finally:
            con.close()
        self.values = {}
        for wave, people in self.people.groupby("wave_id"):
            frame = pd.DataFrame(index=pd.Index(people["respondent_id"], name="respondent_id"))
            frame["people"] = 1
            mine = best[best["wave_id"] == wave]
            answered = mine.pivot_table(index="respondent_id", columns="area_id", values="best", aggfunc="max")
            for area in answered.columns:
                frame[f"answered:{area}"] = answered[area].reindex(frame.index).notna().astype(int)
                frame[f"proficient:{area}"] = (answered[area].reindex(frame.index) >= S.threshold).astype(int)
            self.values[int(wave)] = frame.fillna(0).astype(int)
        self.prev_of = {int(w): int(p) for w, p in zip(self.waves["wave_id"], self.waves["prev_wave_id"],
                                                       strict=True) if pd.notna(p)}
        self.cell_of = {int(w): dict(zip(rows["respondent_id"], rows[list(PEOPLE)].itertuples(index=False, name=None),
                                         strict=True)) for w, rows in self.people.groupby("wave_id")}
        self.position = {w: {rid: i for i, rid in enumerate(frame.index)} for w, frame in self.values.items()}

    def total(self, wave: int, members, figure: str) -> float:
        frame = self.values[wave]
        return float(frame[figure].to_numpy()[[self.position[wave][m] for m in members]].sum())

    def members(self, wave: int, cells: set[tuple[str, str, str]]) -> list[str]:
        return [rid for rid, cell in self.cell_of[wave].items() if cell in cells]

    def cohort(self, wave: int) -> set[str]:
        prev = self.prev_of.get(wave)
        if prev is None:
            return set()
        here = set(self.people.loc[self.people["wave_id"] == wave, "respondent_id"])
        return here & set(self.people.loc[self.people["wave_id"] == prev, "respondent_id"])


def matching_cells(truth: Truth, wave: int, f: Filters) -> set[tuple[str, str, str]]:
    chosen = (f.teams, f.roles, f.locations)
    return {cell for cell in set(truth.cell_of[wave].values())
            if all(not want or value in want for value, want in zip(cell, chosen, strict=True))}


class Oracle:
    """Which respondents a figure sums: the selection as served (reporting groups), or - with
    ``exact`` - the cells the filters name, as the dashboards served them before."""

    def __init__(self, db: str, truth: Truth, exact: bool):
        self.db, self.truth, self.exact = db, truth, exact
        self.memo: dict = {}

    def served(self, wave: int, f: Filters, team: str | None = None) -> list[str]:
        key = (wave, f.teams, f.roles, f.locations, team)
        if key not in self.memo:
            self.memo[key] = self._served(wave, f, team)
        return self.memo[key]

    def _served(self, wave: int, f: Filters, team: str | None) -> list[str]:
        cells = matching_cells(self.truth, wave, f)
        if self.exact:
            if team is not None:
                cells = {c for c in cells if c[0] == team}
            return self.truth.members(wave, cells)
        with reader(self.db) as con:  # inside attack()'s reading block: the same cached groups
            plan = reporting_groups.serve(con, f, K)
        excluded = {tuple(key.split(reporting_groups.SEP)) for key in plan.excluded}
        pooled = {tuple(key.split(reporting_groups.SEP)) for key in plan.pooled}
        kept = {c for c in cells if (str(wave), *c) not in excluded}
        if team == reporting_groups.OTHER_TEAMS:
            kept = {c for c in kept if (str(wave), *c) in pooled}
        elif team is not None:
            kept = {c for c in kept if c[0] == team and (str(wave), *c) not in pooled}
        return self.truth.members(wave, kept)


def csv_rows(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, str]]:
    """The rows of the CSV download the page offers for ``frame`` (read back with the csv module)."""
    text = to_csv_bytes(frame[columns]).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def number(text: str) -> float | None:
    return None if text in ("", "<NA>", "nan") else float(text)


class Attacker:
    """Collects (wave, figure) -> rows of (set of respondents, published value), then solves."""

    def __init__(self, truth: Truth, oracle: Oracle):
        self.truth, self.oracle = truth, oracle
        self.equations: dict[tuple[int, str], list[tuple[tuple[str, ...], float]]] = defaultdict(list)
        self.checked = 0

    def publish(self, wave: int, figure: str, members: list[str], value: float) -> None:
        truth = self.truth.total(wave, members, figure)
        assert value == pytest.approx(truth), f"wave {wave} {figure}: published {value}, the set sums to {truth}"
        self.checked += 1
        self.equations[wave, figure].append((tuple(sorted(members)), value))

    def view(self, db: str, f: Filters, counts: bool) -> None:
        """The views a leader can open for ``f``, read from their CSV downloads (``counts``: the
        respondents per wave too)."""
        trend = area_coverage_trend(db, f, S, "all")
        for row in csv_rows(trend, ["wave_id", "area_id", "n_answered", "coverage"]):
            n, share = number(row["n_answered"]), number(row["coverage"])
            if n is None:
                continue
            members = self.oracle.served(int(row["wave_id"]), f)
            self.publish(int(row["wave_id"]), f"answered:{row['area_id']}", members, n)
            if share is not None:
                self.publish(int(row["wave_id"]), f"proficient:{row['area_id']}", members, round(share * n))
        for row in csv_rows(respondent_trend(db, f, S), ["wave_id", "n_respondents"]) if counts else ():
            if number(row["n_respondents"]) is not None:
                self.publish(int(row["wave_id"]), "people", self.oracle.served(int(row["wave_id"]), f),
                             number(row["n_respondents"]))

    def breakdown(self, db: str, f: Filters) -> None:
        """The area x team heatmap of the latest wave (one figure per team column)."""
        wave = int(self.truth.waves["wave_id"].iloc[-1])
        cells = area_team_coverage(db, f, S)
        for row in csv_rows(cells, ["area_id", "team", "n_answered", "coverage"]):
            n = number(row["n_answered"])
            if n is None:
                continue
            members = self.oracle.served(wave, f, team=row["team"])
            self.publish(wave, f"answered:{row['area_id']}", members, n)
            if number(row["coverage"]) is not None:
                self.publish(wave, f"proficient:{row['area_id']}", members, round(number(row["coverage"]) * n))

    def cohort(self, db: str, f: Filters) -> None:
        """The Trends page's cohort view: this wave's cohort and the same people a wave earlier."""
        trend = area_coverage_trend(db, f, S, "cohort")
        for row in csv_rows(trend, ["wave_id", "area_id", "n_answered", "coverage", "prev_n_answered",
                                    "prev_coverage"]):
            wave = int(row["wave_id"])
            prev = self.truth.prev_of[wave]
            cohort = self.truth.cohort(wave)
            now = [r for r in self.oracle.served(wave, f) if r in cohort]
            for side, w, members in (("", wave, now), ("prev_", prev, now)):
                n, share = number(row[f"{side}n_answered"]), number(row[f"{side}coverage"])
                if n is None:
                    continue
                self.publish(w, f"answered:{row['area_id']}", members, n)
                if share is not None:
                    self.publish(w, f"proficient:{row['area_id']}", members, round(share * n))

    def recovered(self, targets: dict[int, list[tuple[str, tuple[str, ...]]]]) -> dict[str, int]:
        """Per kind of target, the values worked out exactly: the target's indicator is a linear
        combination (lambda) of the published sets of that figure, and lambda applied to the
        published values gives the target's true total."""
        found: dict[str, int] = defaultdict(int)
        systems: dict[tuple, list[tuple[str, np.ndarray]]] = defaultdict(list)
        for (wave, figure), equations in self.equations.items():  # figures published for the same sets share a solve
            systems[wave, tuple(m for m, _ in equations)].append((figure, np.array([v for _, v in equations])))
        for (wave, sets), figures in systems.items():
            position = self.truth.position[wave]
            rows = np.zeros((len(sets), len(position)))
            for i, members in enumerate(sets):
                rows[i, [position[m] for m in members]] = 1
            wanted = np.zeros((len(targets[wave]), len(position)))
            for j, (_, members) in enumerate(targets[wave]):
                wanted[j, [position[m] for m in members]] = 1
            lam, *_ = np.linalg.lstsq(rows.T, wanted.T, rcond=None)
            derivable = np.flatnonzero(np.abs(lam.T @ rows - wanted).max(axis=1) < 1e-6)
            for figure, values in figures:
                for j in derivable:
                    kind, members = targets[wave][j]
                    if abs(float(lam[:, j] @ values) - self.truth.total(wave, members, figure)) < 1e-6:
                        found[kind] += 1
        return dict(found)


def small_targets(truth: Truth) -> dict[int, list[tuple[str, tuple[str, ...]]]]:
    """Per wave, the sets the attacker wants: each person; each team / role / location, pair of
    them and cell with fewer than k people; a wave's joiners and leavers (org-wide and per team)."""
    out: dict[int, list] = {}
    for wave, people in truth.people.groupby("wave_id"):
        wave = int(wave)
        targets = [("person", (rid,)) for rid in people["respondent_id"]]
        for dims in itertools.chain.from_iterable(itertools.combinations(PEOPLE, n) for n in (1, 2, 3)):
            for _, rows in people.groupby(list(dims)):
                if 1 < len(rows) < K:
                    targets.append(("x".join(dims), tuple(rows["respondent_id"])))
        for other, kind in ((truth.prev_of.get(wave), "joiners"),
                            (next((w for w, p in truth.prev_of.items() if p == wave), None), "leavers")):
            if other is None:
                continue
            there = set(truth.people.loc[truth.people["wave_id"] == other, "respondent_id"])
            for _, rows in [(None, people), *people.groupby("team")]:
                moved = tuple(sorted(set(rows["respondent_id"]) - there))
                if 1 < len(moved) < K:
                    targets.append((kind, moved))
        out[wave] = targets
    return out


def selections(truth: Truth, full: bool) -> list[Filters]:
    """Filter combinations. For each of team / role / location: none, each value, or all values but
    one. ``full``: every combination of those. Otherwise (the demo, to keep the run short): every
    single-filter choice, each team x location, and, for each cell under k, its team x location
    with every role but the cell's (the issue's complement-within attack) and with its role only."""
    values = {dim: sorted(truth.people[dim].unique()) for dim in PEOPLE}
    choices = {dim: [()] + [(v,) for v in vals] + [tuple(x for x in vals if x != v) for v in vals]
               for dim, vals in values.items()}
    if full:
        return [Filters(teams=t, roles=r, locations=loc)
                for t, r, loc in itertools.product(choices["team"], choices["role"], choices["location"])]
    picks = [Filters(**{f"{dim}s": choice}) for dim in PEOPLE for choice in choices[dim]]
    picks += [Filters(teams=(t,), locations=(loc,)) for t in values["team"] for loc in values["location"]]
    cells = truth.people.groupby(list(PEOPLE)).size()  # people per cell summed over waves: small in some wave
    for (team, role, location), _ in cells[cells < 4 * K].items():
        others = tuple(r for r in values["role"] if r != role)
        picks += [Filters(teams=(team,), roles=others, locations=(location,)),
                  Filters(teams=(team,), roles=(role,), locations=(location,))]
    return list(dict.fromkeys(picks))


def attack(db: str, exact: bool, full: bool) -> tuple[dict[str, int], int]:
    truth = Truth(db)
    attacker = Attacker(truth, Oracle(db, truth, exact))
    picks = selections(truth, full)
    with reading(db):  # one render's worth of caching: the reporting groups are built once
        for f in picks:
            single = sum(bool(x) for x in (f.teams, f.roles, f.locations)) <= 1
            attacker.view(db, f, counts=single)
            if single:
                attacker.breakdown(db, f)
                attacker.cohort(db, f)
    return attacker.recovered(small_targets(truth)), attacker.checked


# --- the proofs -------------------------------------------------------------------------------

def test_no_value_is_recovered_on_the_demo_organisation(demo_db):
    found, checked = attack(demo_db, exact=False, full=False)
    assert checked > 10_000  # the attacker really read figures
    assert found == {}, f"recovered values by kind of target: {found}"


def test_no_value_is_recovered_on_randomised_organisations(random_dbs):
    for db in random_dbs:
        found, checked = attack(db, exact=False, full=True)
        assert checked > 1_000
        assert found == {}, f"{db}: recovered values by kind of target: {found}"


def test_the_attacker_recovers_values_without_reporting_groups(random_dbs):
    """The same attacker against selections served exactly as filtered (how the dashboards served
    them before reporting groups; the figures are then sums over the filtered cells, which the
    oracle checks) recovers people's answers and small groups' figures."""
    found, _ = attack_exact(random_dbs[0])
    assert found.get("person", 0) > 0 and sum(found.values()) > 100, found


def attack_exact(db: str) -> tuple[dict[str, int], int]:
    """attack() with the dashboards' reporting groups switched off (every cell its own group)."""
    original = reporting_groups.groups.__wrapped__

    def one_cell_groups(con, k):
        grid = original(con, 1)
        grid["group_id"] = range(len(grid))  # every cell, empty or not, its own group
        grid["group_n"], grid["n_teams"] = grid["n"], 1
        return grid

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reporting_groups, "groups", one_cell_groups)
        mp.setattr(reporting_groups, "cohort_waves", lambda con, k: tuple(Truth(db).prev_of))
        return attack(db, exact=True, full=False)
