"""Write one prepared file into the database as a single transaction (all of it or none of it)."""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from pipelines import aggregates, audit, identity
from pipelines import taxonomy as taxonomy_mod
from pipelines.redaction import redact
from pipelines.transactions import rollback


def find_wave(con, label: str) -> tuple[int, dt.date | None] | None:
    rows = con.execute("SELECT wave_id, survey_date FROM waves WHERE label = ?", [label]).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


def ensure_wave(con, label: str, survey_date: dt.date | None) -> int:
    found = find_wave(con, label)
    if found:
        if survey_date and found[1] != survey_date:
            con.execute("UPDATE waves SET survey_date = ? WHERE wave_id = ?", [survey_date, found[0]])
        return found[0]
    # The sequence never hands out an id twice (not even after an undo); max + 1 guards against rows
    # that were added by other means. Both are safe: there is only one writer.
    wave_id = con.execute("SELECT greatest(nextval('wave_id_seq'), coalesce(max(wave_id), 0) + 1) "
                          "FROM waves").fetchall()[0][0]
    con.execute("INSERT INTO waves VALUES (?, ?, ?)", [wave_id, label, survey_date])
    return wave_id


def already_loaded(con, sha256: str, wave_label: str) -> int | None:
    row = con.execute(
        "SELECT i.ingestion_id FROM ingestions i JOIN waves w USING (wave_id) "
        "WHERE i.file_sha256 = ? AND w.label = ? AND i.status = 'loaded' ORDER BY i.ingestion_id LIMIT 1",
        [sha256, wave_label],
    ).fetchall()
    return row[0][0] if row else None


def refresh_aggregates(con, wave_id: int) -> None:
    """Keep the dashboards' pre-computed aggregates in step with the base tables (same transaction)."""
    aggregates.refresh(con, [wave_id])


def write(con: duckdb.DuckDBPyConnection, *, frames: dict[str, pd.DataFrame], rejected: pd.DataFrame,
          wave_label: str, wave_date: dt.date | None, file_name: str, sha256: str, rows_read: int,
          profile_name: str, taxonomy, loaded_by: str | None,
          key_fingerprint: str | None = None,
          offered: pd.DataFrame | None = None) -> tuple[int, int, pd.DataFrame]:
    """Insert everything; returns (ingestion_id, wave_id, superseded rows of this file).

    A person already present in the wave from an earlier file keeps whichever submission is
    later: an older one here is rejected as superseded, a newer one replaces the earlier rows.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        taxonomy_mod.sync(con, taxonomy)
        wave_id = ensure_wave(con, wave_label, wave_date)
        ingestion_id = con.execute("SELECT greatest(nextval('ingestion_id_seq'), coalesce(max(ingestion_id), 0) + 1) "
                                   "FROM ingestions").fetchall()[0][0]
        keep, superseded = _settle_earlier_submissions(con, frames["respondents"], wave_id)
        all_rejected = pd.concat([rejected, superseded], ignore_index=True)
        rows_rejected = int(all_rejected.loc[all_rejected["source_row"] > 0, "source_row"].nunique()) \
            + int((all_rejected["source_row"] == 0).sum())
        con.execute(
            "INSERT INTO ingestions VALUES (?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, 'loaded', ?, ?)",
            [ingestion_id, wave_id, file_name, sha256, rows_read, rows_read - rows_rejected, rows_rejected,
             profile_name, loaded_by or _whoami()],
        )
        _insert_rows(con, frames, keep, all_rejected, wave_id, ingestion_id)
        _record_offered(con, offered, wave_id, ingestion_id)
        refresh_aggregates(con, wave_id)
        if key_fingerprint:
            identity.remember_key(con, key_fingerprint)
        audit.record_in(con, loaded_by or _whoami(), "ingestion_loaded", ingestion_id,
                        f"{file_name} into {wave_label}: {rows_read} rows read, {rows_rejected} rejected")
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    return ingestion_id, wave_id, superseded


def _record_offered(con, offered: pd.DataFrame | None, wave_id: int, ingestion_id: int) -> None:
    """question_skills: which skills each question of this file asked about (migration 008), so
    the dashboards compare two waves over what both asked. Question names come from the profile,
    so they are redacted like its name."""
    if offered is None or offered.empty:
        return
    rows = offered.assign(question=offered["question"].map(redact))[["question", "skill_id"]].drop_duplicates()
    con.register("_offered", rows)
    con.execute("INSERT INTO question_skills SELECT ?, ?, question, skill_id FROM _offered",
                [ingestion_id, wave_id])
    con.unregister("_offered")


def _settle_earlier_submissions(con, resp: pd.DataFrame, wave_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(respondents to insert, superseded rows): of a person already in the wave, the later
    submission stays; a newer one here removes the earlier rows first."""
    con.register("_resp", resp)
    clash = con.execute("""
        SELECT n.source_row, o.ingestion_id AS old_ingestion,
               coalesce(n.submitted_at > o.submitted_at, o.submitted_at IS NULL AND n.submitted_at IS NOT NULL) AS newer
        FROM _resp n JOIN respondents o ON o.wave_id = ? AND o.respondent_id = n.respondent_id
    """, [wave_id]).df()
    con.unregister("_resp")
    stale = clash[~clash["newer"].astype(bool)]
    superseded = pd.DataFrame({
        "source_row": stale["source_row"], "column_name": None, "value": None,
        "reason": [f"superseded: this person's submission in ingestion {i} is as recent or later"
                   for i in stale["old_ingestion"]],
    })
    replaced = clash[clash["newer"].astype(bool)]
    if len(replaced):
        con.register("_replaced", resp[resp["source_row"].isin(replaced["source_row"])][["respondent_id"]])
        for table in ("answers", "cloud_preferences", "learning_interests", "respondents"):
            con.execute(f"DELETE FROM {table} WHERE wave_id = ? AND respondent_id IN "
                        "(SELECT respondent_id FROM _replaced)", [wave_id])
        con.unregister("_replaced")
    return resp[~resp["source_row"].isin(stale["source_row"])], superseded


def _insert_rows(con, frames: dict[str, pd.DataFrame], keep: pd.DataFrame, rejected: pd.DataFrame,
                 wave_id: int, ingestion_id: int) -> None:
    """The respondents kept, their answers, clouds and interests, and the rejected rows."""
    con.register("_keep", keep)
    con.execute("""
        INSERT INTO respondents SELECT ?, respondent_id, ?, team, role, location, submitted_at FROM _keep
    """, [wave_id, ingestion_id])
    for table, cols in (("answers", "k.respondent_id, f.skill_id, f.level"),
                        ("cloud_preferences", "k.respondent_id, f.provider, f.kind"),
                        ("learning_interests", "k.respondent_id, f.skill_id")):
        con.register("_f", frames[table])
        con.execute(f"INSERT INTO {table} SELECT ?, {cols}, ? FROM _f f JOIN _keep k USING (source_row)",
                    [wave_id, ingestion_id])
        con.unregister("_f")
    con.register("_rej", rejected)
    con.execute("INSERT INTO rejected_rows SELECT ?, source_row, column_name, value, reason FROM _rej "
                "ORDER BY source_row", [ingestion_id])
    for name in ("_keep", "_rej"):
        con.unregister(name)


def delete_ingestion(con: duckdb.DuckDBPyConnection, ingestion_id: int, actor: str | None = None) -> bool:
    """Remove an ingestion and everything it loaded (undo). False when there is no such ingestion."""
    con.execute("BEGIN TRANSACTION")
    try:
        found = con.execute("SELECT wave_id FROM ingestions WHERE ingestion_id = ?", [ingestion_id]).fetchall()
        if not found:
            con.execute("ROLLBACK")
            return False
        for table in ("answers", "cloud_preferences", "learning_interests", "respondents", "rejected_rows",
                      "question_skills", "ingestions"):
            con.execute(f"DELETE FROM {table} WHERE ingestion_id = ?", [ingestion_id])
        # A wave left with no ingestions goes too, so it stops showing as an empty wave.
        con.execute("DELETE FROM waves WHERE wave_id = ? AND wave_id NOT IN (SELECT wave_id FROM ingestions)",
                    [found[0][0]])
        refresh_aggregates(con, found[0][0])
        audit.record_in(con, actor or _whoami(), "ingestion_deleted", ingestion_id)
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    return True


def _whoami() -> str:
    return audit.command_line_actor()
