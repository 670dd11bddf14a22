"""Minimum group size with complementary suppression, on frames small enough to check by hand."""
import pandas as pd
import pytest

from analytics.suppression import hidden_cells, suppress


def hidden_of(counts, k=5, partitions=((),), **extra):
    frame = pd.DataFrame({"n": counts, **extra})
    return list(hidden_cells(frame["n"], frame, k, partitions))


def test_primary_hides_groups_under_k_but_not_empty_or_k_sized():
    # 3 < 5 hidden; 0 describes nobody; 5 is not under k. No partition: nothing else hidden.
    assert hidden_of([10, 3, 0, 5], partitions=()) == [False, True, False, False]


def test_single_hidden_cell_takes_the_next_smallest_with_it():
    # B (3) alone would be total - A - C - D; C (6) is the smallest other cell.
    assert hidden_of([10, 3, 6, 7]) == [False, True, True, False]


def test_two_hidden_cells_need_no_complement():
    assert hidden_of([10, 3, 4, 8]) == [False, True, True, False]


def test_complement_skips_empty_cells():
    # Hiding the 0 would protect nothing (everyone can see it is empty): 9 is taken instead.
    assert hidden_of([0, 2, 9, 12]) == [False, True, True, False]


def test_equal_candidates_take_the_first_row():
    assert hidden_of([3, 6, 6]) == [True, True, False]


def test_nothing_hidden_with_k_of_one():
    assert hidden_of([1, 2, 3], k=1) == [False, False, False]


def test_two_way_table_cascades_until_every_row_and_column_is_safe():
    # area X: t1=2 t2=8 t3=9; area Y: t1=7 t2=6 t3=20. X-t1 is under k; X then needs a second
    # hidden cell (t2, 8); columns t1 and t2 each have one hidden cell, so Y-t1 and Y-t2 go too.
    frame = pd.DataFrame({"area": ["X"] * 3 + ["Y"] * 3, "team": ["t1", "t2", "t3"] * 2, "n": [2, 8, 9, 7, 6, 20]})
    mask = hidden_cells(frame["n"], frame, 5, partitions=[["area"], ["team"]])
    assert list(mask) == [True, True, False, True, True, False]


def test_partitions_are_independent_groups():
    # Per area: X has one hidden (3) -> its other cell (9) goes; Y has none.
    frame = pd.DataFrame({"area": ["X", "X", "Y", "Y"], "n": [3, 9, 8, 6]})
    assert list(hidden_cells(frame["n"], frame, 5, partitions=[["area"]])) == [True, True, False, False]


def test_lonely_hidden_cell_without_candidates_stays_alone():
    assert hidden_of([3, 0]) == [True, False]


def test_suppress_blanks_values_and_keeps_types_honest():
    frame = pd.DataFrame({"team": ["A", "B", "C"], "n": [12, 2, 30], "prof": [6, 1, 10], "share": [0.5, 0.5, 1 / 3]})
    out = suppress(frame, "n", ["prof", "share"], 5, partitions=[[]])
    # B (2) is hidden, then A (12, the smaller of the rest) as its complement.
    assert list(out["suppressed"]) == [True, True, False]
    assert out["n"].dtype == "Int64" and out["prof"].dtype == "Int64"
    assert out["n"].isna().tolist() == [True, True, False]
    assert out["share"].isna().tolist() == [True, True, False]
    assert out.loc[2, "prof"] == 10
    assert frame["n"].tolist() == [12, 2, 30]  # the input is left alone


@pytest.mark.parametrize("k", [2, 5, 10])
def test_every_visible_cell_has_at_least_k_people(k):
    counts = [1, 4, 9, 0, 15, 6, 3, 11]
    frame = pd.DataFrame({"n": counts})
    visible = frame.loc[~hidden_cells(frame["n"], frame, k, [[]]), "n"]
    assert all(n == 0 or n >= k for n in visible)
