"""Property tests: random small grids and random bytes either load or are refused cleanly.

Whatever the input, `ingest_file` returns (never raises), rows_read = rows_loaded + rows_rejected,
a loaded file's numbers match what the database holds, and a refused file changes nothing.
"""
from __future__ import annotations

import csv
import io
import itertools

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pipeline_fixtures import make_env

SKILL_HEADERS = ["Docker", "kubernetes", "Terraform", "Rate your skills [Istio]", "ＡＷＳ Ｌａｍｂｄａ", "GCE",
                 "フィーチャートグル"]
OTHER_HEADERS = ["Team", "Role", "Office", "Notes", "", "Q1", "x;y", "Preferred cloud", "What do you want to learn?"]
LABELS = ["Expert", "basic", "Ｅｘｐｅｒｔ ", "none", "None", "NA", "3", "0", "4", "5", "-1", "2.0", "未経験", "上級",
          "AWS", "GCP;Azure", "Docker;Terraform", "", "", ""]
SHORT_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)
VALID = st.sampled_from(["Expert", "basic", "Ｅｘｐｅｒｔ ", "none", "None", "3", "0", "4", "未経験", "上級", ""])
CELL = st.one_of(st.sampled_from(LABELS), SHORT_TEXT, st.sampled_from(["p1@example.com", "P2@Example.com"]))
STAMP = st.sampled_from(["2025/01/15 10:00:00", "2025-08-01 09:00", "not a date", ""])

settings.register_profile("pipeline", deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
counter = itertools.count()


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private database and respondent-id key in tmp_path."""
    return make_env(tmp_path, monkeypatch)


@st.composite
def grids(draw):
    skills = draw(st.lists(st.sampled_from(SKILL_HEADERS), min_size=draw(st.sampled_from([0, 1, 1, 1])), max_size=4,
                           unique=True))
    others = draw(st.lists(st.sampled_from(OTHER_HEADERS), max_size=3))
    with_id = draw(st.booleans())
    with_stamp = draw(st.booleans())
    header = (["Email Address"] if with_id else []) + (["Timestamp"] if with_stamp else []) + skills + others
    header = draw(st.permutations(header)) if header else ["Docker"]
    n_rows = draw(st.integers(1, 7))
    rows = []
    for i in range(n_rows):
        good = draw(st.sampled_from([True, True, True, False]))  # mostly plausible responses, some noise
        row = []
        for name in header:
            if name == "Email Address":
                row.append(draw(st.sampled_from([f"user{i}@example.com", "dup@example.com", "", "not-an-email"])))
            elif name == "Timestamp":
                row.append(draw(STAMP))
            elif good and name in skills:
                row.append(draw(VALID))
            else:
                row.append(draw(CELL))
        ragged = draw(st.sampled_from(["ok"] * 6 + ["short", "long"]))
        if ragged == "short" and len(row) > 1:
            row = row[:-1]
        elif ragged == "long":
            row = [*row, draw(CELL)]
        if len(row) == 1 and row[0] == "":
            row = ["x"]  # a lone empty field is a blank line in every spreadsheet; keep records countable
        rows.append(row)
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    wave = draw(st.sampled_from([None, "prop-wave", "prop-wave"]))
    return [list(header), *rows], delimiter, newline, encoding, wave


def check(env, result, before):
    event(f"status: {result.status}")
    assert result.status in {"loaded", "already_loaded", "rejected"}
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    assert min(result.rows_read, result.rows_loaded, result.rows_rejected) >= 0
    assert "\n" not in result.message and "Traceback" not in result.message
    if result.status == "rejected":
        assert result.rows_loaded == 0
        assert env.snapshot() == before
    elif result.status == "loaded":
        stored = env.rows("SELECT rows_read, rows_loaded, rows_rejected FROM ingestions WHERE ingestion_id = ?",
                          [result.ingestion_id])
        assert stored == [(result.rows_read, result.rows_loaded, result.rows_rejected)]
        assert env.rows("SELECT count(*) FROM respondents WHERE ingestion_id = ?", [result.ingestion_id]) == \
            [(result.rows_loaded,)]
        assert env.rows("SELECT count(*) FROM answers WHERE level NOT BETWEEN 0 AND 4") == [(0,)]
        assert env.rows("SELECT count(*) FROM rejected_rows WHERE ingestion_id = ? AND source_row < 2",
                        [result.ingestion_id]) == [(0,)]


@pytest.mark.filterwarnings("ignore")
@settings(settings.get_profile("pipeline"), max_examples=20)
@given(grid=grids())
def test_random_grids_load_or_are_refused_cleanly(env, grid):
    rows, delimiter, newline, encoding, wave = grid
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path = env.tmp / f"grid{next(counter)}.csv"
    path.write_bytes(buf.getvalue().encode(encoding))
    before = env.snapshot()
    result = env.ingest(path, wave=wave)  # must not raise
    check(env, result, before)
    if result.status == "loaded":
        # Every record after the header is a row read, except records with every cell blank, which
        # are no response at all (header detection picks one header row here: no 'Response' option
        # row and no long question texts are generated).
        assert result.rows_read == sum(any(cell.strip() for cell in row) for row in rows[1:])


@pytest.mark.filterwarnings("ignore")
@settings(settings.get_profile("pipeline"), max_examples=15)
@given(data=st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=200).map(lambda b: b"Email Address,Docker\n" + b),
    st.binary(max_size=200).map(lambda b: b"\xef\xbb\xbfEmail Address;Docker;Team\r\n" + b),
    st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
))
def test_random_bytes_never_escape_as_exceptions(env, data):
    path = env.tmp / f"bytes{next(counter)}.csv"
    path.write_bytes(data)
    before = env.snapshot()
    result = env.ingest(path, wave="bytes-wave")
    check(env, result, before)
