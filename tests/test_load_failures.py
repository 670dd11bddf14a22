"""Two failures that used to refuse or misreport a whole load (found in a review of the ingest
round of session 5; both older than it):

- a rating so far off its scale that no level column holds it ("200" on 0-4) refused the file;
  now its row is rejected and the rest loads;
- a COMMIT that failed was reported as the ROLLBACK after it ("no transaction is active").
"""
from __future__ import annotations

import duckdb
import pytest
from pipeline_fixtures import write_csv

from pipelines import db as dbmod
from pipelines import load
from pipelines.ingest import prepare_file

HEADER = ["Timestamp", "Email Address", "Team", "Docker", "Kubernetes"]


@pytest.mark.parametrize("typo", ["200", "99999", "1" * 400, "-131"])
def test_a_level_past_the_tinyint_range_rejects_its_row_not_the_file(env, typo):
    rows = [HEADER,
            ["2025/02/01 10:00:00", "a@example.com", "A", "Expert", "Basic"],
            ["2025/02/02 10:00:00", "b@example.com", "B", typo, "Aware"],  # a typo'd rating
            ["2025/02/03 10:00:00", "c@example.com", "C", "None", "Proficient"]]
    result = env.ingest(write_csv(env.tmp / "typo.csv", rows))
    assert result.status == "loaded", result.message
    # by hand: rows 2 and 4 load (2 answers each); spreadsheet row 3 is rejected for its Docker cell
    assert (result.rows_loaded, result.rows_rejected, result.answers) == (2, 1, 4)
    assert env.rows("SELECT column_name, value, reason FROM rejected_rows WHERE source_row = 3") == [
        ("Docker", typo, f"'{typo}' is not a proficiency level (expected a number on the 0-4 scale or one of "
                         "none/aware/basic/proficient/expert)")]


class _CommitFails:
    """A connection whose COMMIT fails the way DuckDB's does (a conflict, a full disk): the
    transaction is gone when the error is raised. Everything else goes to the real connection."""

    def __init__(self, con):
        self._con = con

    def execute(self, sql, *args):
        if sql.strip().upper() == "COMMIT":
            self._con.execute("ROLLBACK")
            raise duckdb.TransactionException("TransactionContext Error: Failed to commit: simulated conflict")
        return self._con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


def test_a_failed_commit_is_reported_as_itself(env):
    rows = [HEADER, ["2025/02/01 10:00:00", "a@example.com", "A", "Expert", "Basic"]]
    prepared = prepare_file(write_csv(env.tmp / "one.csv", rows))
    with dbmod.writer(env.db) as con, pytest.raises(duckdb.Error) as raised:
        load.write(_CommitFails(con), frames=prepared.frames, rejected=prepared.rejected,
                   wave_label=prepared.wave_label, wave_date=prepared.wave_date, file_name=prepared.file_name,
                   sha256=prepared.sha256, rows_read=prepared.rows_read, profile_name=prepared.profile.name,
                   taxonomy=prepared.taxonomy, loaded_by="review")
    assert "Failed to commit" in str(raised.value)
    assert env.rows("SELECT count(*) FROM respondents") == [(0,)]  # nothing written either way
