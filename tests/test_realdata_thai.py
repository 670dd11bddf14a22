"""Acceptance: the Thai Developer Survey 2019 (Google Forms export, Thai labels, Buddhist-era
timestamps) loads through the CLI entry point with data/profiles/thai-2019.yaml, and the
analyst-facing tables show the right figures.

Expected figures are README section 5's (2,389 respondents; grid cells 13,282 basic / 5,527
proficient / 156 both) or are counted here from the CSV with the csv module, never taken from the
pipeline. The file is read where it is and never copied.
"""
from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from pipeline_fixtures import load_with_cli

from analytics.coverage import skill_coverage
from analytics.filters import Filters
from analytics.settings import Settings

pytestmark = pytest.mark.realdata

PROJECT = Path(__file__).resolve().parents[1]
REALDATA = PROJECT.parent / "shared" / "realdata"
RAWDATA = REALDATA / "thai-developer-survey-2019" / "rawdata.csv"
PROFILE = PROJECT / "data" / "profiles" / "thai-2019.yaml"
WAVE = "Thai Dev 2019"

if not RAWDATA.is_file():
    pytest.skip(f"real data not found at {RAWDATA}", allow_module_level=True)

BASIC = "ระดับพื้นฐาน"
PROFICIENT = "ระดับชำนาญ ทำงานได้อย่างคล่องแคล่ว"
GRID = range(9, 39)  # cols 9-38: "[ASP .net]" ... "[SQL]"
LEARN = 40  # skills/languages to learn in the next 12 months
ROLE = 3  # ตำแหน่งงาน (job position)
# Grid languages that are built-in skills elsewhere in the taxonomy (not in the new area).
BUILT_IN = {"Go": "go", "Bash/Shell/PowerShell": "bash"}
SKILL_OF = {  # the test's own naming of the 30 grid languages
    "ASP .net": "aspnet", "Assembly": "assembly", "C": "c", "C#": "csharp", "C++": "cpp", "Clojure": "clojure",
    "Dart": "dart", "Elixir": "elixir", "Erlang": "erlang", "Groovy": "groovy", "Haskell": "haskell",
    "HTML/CSS": "html_css", "Java": "java", "JavaScript": "javascript", "Julia": "julia", "Kotlin": "kotlin",
    "Lua": "lua", "Objective-C": "objective_c", "Ocaml": "ocaml", "Pascal": "pascal", "Perl": "perl",
    "PHP": "php", "Python": "python", "R": "r", "Ruby": "ruby", "Rust": "rust", "Scala": "scala", "SQL": "sql",
    **BUILT_IN,
}
# Learn-next options that name a skill: the grid languages plus three languages only offered there.
LEARN_SKILL_OF = {**SKILL_OF, "TypeScript": "typescript", "Swift": "swift", "VBA": "vba"}


@pytest.fixture(scope="module")
def sheet() -> tuple[list[str], list[list[str]]]:
    with open(RAWDATA, encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    return records[0], records[1:]


def grid_level(text: str) -> int | None:
    """The test's reading of a grid cell: proficient beats basic when a cell holds both."""
    tokens = {t.strip() for t in text.split(";") if t.strip()}
    if PROFICIENT in tokens:
        return 3
    return 2 if BASIC in tokens else None


def thai_time(text: str) -> dt.datetime:
    """'2562/07/26 10:06:06 หลังเที่ยง GMT+7' -> 2019-07-26 22:06:06 (local time, zone dropped)."""
    date, clock, half, _zone = text.split(" ")
    year, month, day = (int(p) for p in date.split("/"))
    hour, minute, second = (int(p) for p in clock.split(":"))
    hour = hour % 12 + (12 if half == "หลังเที่ยง" else 0)
    return dt.datetime(year - 543, month, day, hour, minute, second)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[str, dict]:
    return load_with_cli(tmp_path_factory, "thai", RAWDATA, PROFILE)


@pytest.fixture(scope="module")
def con(loaded):
    connection = duckdb.connect(loaded[0], read_only=True)
    yield connection
    connection.close()


def test_every_response_loads_as_its_own_respondent(loaded, con, sheet):
    _, rows = sheet
    assert len(rows) == 2389  # README section 5
    result = loaded[1]
    assert (result["status"], result["wave"], result["rows_read"], result["rows_loaded"], result["rows_rejected"]) == \
        ("loaded", WAVE, 2389, 2389, 0)
    assert con.execute("SELECT count(*), count(DISTINCT respondent_id) FROM respondents").fetchone() == (2389, 2389)


def test_grid_cells_become_levels_and_both_counts_as_proficient(con, sheet):
    header, rows = sheet
    assert [header[i] for i in (9, 33, 38)] == ["[ASP .net]", "[Python]", "[SQL]"]
    cells = Counter(rows[n][i] for n in range(len(rows)) for i in GRID if rows[n][i])
    both = sum(v for k, v in cells.items() if BASIC in k and PROFICIENT in k)
    # README section 5: 13,282 basic, 5,527 proficient, 156 cells with both.
    assert (cells[BASIC], cells[PROFICIENT], both) == (13282, 5527, 156)
    assert sum(cells.values()) == 13282 + 5527 + 156  # nothing else is in the grid
    stored = dict(con.execute("SELECT level, count(*) FROM answers GROUP BY level").fetchall())
    assert stored == {2: 13282, 3: 5527 + 156}


def test_each_language_answered_and_proficient_counts(loaded, con, sheet):
    header, rows = sheet
    frame = skill_coverage(loaded[0], Filters(), Settings()).set_index("skill_id")
    levels = dict(((s, lv), n) for s, lv, n in con.execute(
        "SELECT skill_id, level, count(*) FROM answers GROUP BY ALL").fetchall())
    assert len(frame) == 30
    for i in GRID:
        language = header[i].strip("[]")
        skill = SKILL_OF[language]
        read = [grid_level(r[i]) for r in rows if r[i]]
        assert frame.loc[skill, "n_answered"] == len(read), language
        assert frame.loc[skill, "n_proficient"] == read.count(3), language  # default threshold 3
        assert (levels.get((skill, 2), 0), levels.get((skill, 3), 0)) == (read.count(2), read.count(3)), language


def test_programming_languages_area_added_by_the_profile(con, sheet):
    area = con.execute("SELECT track, name_en, name_ja FROM skill_areas WHERE area_id = 'programming_languages'").fetchall()
    assert area == [("Custom", "Programming languages", "プログラミング言語")]
    in_area = {r[0] for r in con.execute("SELECT skill_id FROM skills WHERE area_id = 'programming_languages'").fetchall()}
    assert in_area == (set(SKILL_OF.values()) - set(BUILT_IN.values())) | {"typescript", "swift", "vba"}
    # Go and Bash are the built-in skills, where they already were.
    assert dict(con.execute("SELECT skill_id, area_id FROM skills WHERE skill_id IN ('go', 'bash')").fetchall()) == \
        {"go": "containers_microservices", "bash": "bash_cli"}
    # The area's answered count: everyone who rated at least one of its 28 grid languages.
    header, rows = sheet
    area_cols = [i for i in GRID if header[i].strip("[]") not in BUILT_IN]
    expected = sum(any(r[i] for i in area_cols) for r in rows)
    stored = con.execute("SELECT sum(n_answered) FROM agg_area_levels WHERE population = 'all' "
                         "AND area_id = 'programming_languages'").fetchone()[0]
    assert stored == expected


def test_learn_next_column_becomes_learning_interests(con, sheet):
    header, rows = sheet
    assert header[LEARN].startswith("ทักษะ/ภาษาเขียนโปรแกรมใดที่คุณจะเรียนรู้")
    expected = Counter()
    for r in rows:
        expected.update({LEARN_SKILL_OF[t.strip()] for t in r[LEARN].split(";") if t.strip() in LEARN_SKILL_OF})
    assert expected["python"] == 587 and expected["typescript"] == 343
    stored = dict(con.execute("SELECT skill_id, count(DISTINCT respondent_id) FROM learning_interests "
                              "GROUP BY skill_id").fetchall())
    assert stored == dict(expected)
    # Topics that are no skill (Data Science, CI/CD, Blockchain ...) are not stored.
    assert con.execute("SELECT count(*) FROM learning_interests").fetchone()[0] == sum(expected.values())
    interested = dict(con.execute("SELECT skill_id, sum(n_interested) FROM agg_interest_levels GROUP BY skill_id")
                      .fetchall())
    assert interested == dict(expected)


def test_buddhist_era_timestamps_become_gregorian(con, sheet):
    _, rows = sheet
    times = [thai_time(r[0]) for r in rows]
    assert times[0] == dt.datetime(2019, 7, 26, 22, 6, 6)  # 2562/07/26 10:06:06 หลังเที่ยง (PM)
    assert rows[-1][0] == "2562/09/10 9:19:16 ก่อนเที่ยง GMT+7" and times[-1] == dt.datetime(2019, 9, 10, 9, 19, 16)
    stored = con.execute("SELECT min(submitted_at), max(submitted_at), count(submitted_at) FROM respondents").fetchone()
    assert stored == (min(times), max(times), 2389)
    by_day = Counter(t.date() for t in times)
    assert dict(con.execute("SELECT submitted_at::DATE, count(*) FROM respondents GROUP BY 1").fetchall()) == by_day


def test_job_position_is_the_role(con, sheet):
    _, rows = sheet
    stored = dict(con.execute("SELECT role, count(*) FROM respondents GROUP BY role").fetchall())
    assert stored == Counter(r[ROLE].strip() or None for r in rows)
    assert stored["Student"] == 601
