"""After ingesting files full of emails, no byte of the database (or its WAL) holds any of them.

Spec (issue 2): respondent ids are a keyed hash; raw emails and names are never stored anywhere,
and rejected values shown back to HR have emails replaced by <email>. The byte scan is checked
against a positive control (the same database with one email really stored), because DuckDB
compresses large string columns and a scan that can't see strings would prove nothing.
"""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.ingest import ingest_file

HEADER = ["Timestamp", "Email Address", "Your name", "Team",
          "Rate your skills [Docker]", "Rate your skills [Terraform]", "Rate your skills [Kubernetes]"]
PEOPLE = [("Hanako", "Yamadaberg"), ("Quentin", "Oxleworth"), ("Priyanka", "Venkataraghavan"),
          ("Zebulon", "Quickfoot"), ("Marisol", "Etxeberria"), ("Tobiah", "Wrenfield"),
          ("Ingeborg", "Halvorsrud"), ("Cornelius", "Vandersloot")]
LEVELS = ["None", "Aware", "Basic", "Proficient", "Expert"]
# Emails written into cells where no email belongs: rows 8-13 of the messy file (see messy_file()).
STRAY = {"level": "ask.levelcell.person@mail-example.org", "team": "reach.me.teamcell@mail-example.org",
         "stamp": "stamp.cell.person@mail-example.org", "mixed": "boss.in.brackets@mail-example.org",
         "ragged": "ragged.row.person@mail-example.org"}
KEPT_TEAM_EMAIL = "my.manager.teamcell@corp-example.org"


def email(first: str, last: str, wave: int) -> str:
    return f"{first.lower()}.{last.lower()}.w{wave}@skills-example.co.jp"


def survey_rows(wave: int, people=PEOPLE) -> list[list[str]]:
    month = {1: 3, 2: 9, 3: 3}[wave]
    year = {1: 2024, 2: 2024, 3: 2025}[wave]
    rows = [HEADER]
    for i, (first, last) in enumerate(people):
        # Case varies on purpose: the email as typed must not be stored in any case either.
        address = email(first, last, wave)
        address = address.upper() if i % 3 == 0 else address.title() if i % 3 == 1 else address
        rows.append([f"{year}/{month:02d}/{i + 1:02d} 10:00:00", address, f"{first} {last}", f"Team {i % 3}",
                     LEVELS[i % 5], LEVELS[(i + 2) % 5], LEVELS[(i + 4) % 5]])
    return rows


def csv_file(path: Path, rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def xlsx_file(path: Path, rows: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def messy_file(path: Path) -> Path:
    """12 rows, 6 valid; the other 6 each fail, most with an email where it doesn't belong.

    row 2-7   valid (people 0-5, wave 4 addresses)
    row 8     Docker level cell holds an email                         -> rejected, value <email>
    row 9     team holds an email, Terraform level 'lots'              -> rejected (team never stored)
    row 10    Timestamp cell holds an email                            -> rejected, value <email>
    row 11    Kubernetes level 'Expert (ask <email>)'                  -> rejected, value redacted
    row 12    person 0 again, earlier timestamp                        -> rejected as superseded
    row 13    ragged: 5 fields, one is an email                        -> rejected
    """
    rows = [HEADER]
    for i, (first, last) in enumerate(PEOPLE[:6]):
        rows.append([f"2025/09/{i + 1:02d} 10:00:00", email(first, last, 4), f"{first} {last}", "Team A",
                     "Basic", "Basic", "Basic"])
    p6, p7 = PEOPLE[6], PEOPLE[7]
    rows += [
        ["2025/09/10 10:00:00", email(*p6, 4), f"{p6[0]} {p6[1]}", "Team A", STRAY["level"], "Basic", "Basic"],
        ["2025/09/10 11:00:00", email(*p7, 4), f"{p7[0]} {p7[1]}", STRAY["team"], "Basic", "lots", "Basic"],
        [STRAY["stamp"], email("Extra", "Stampington", 4), "Extra Stampington", "Team A", "Basic", "Basic", "Basic"],
        ["2025/09/10 12:00:00", email("Extra", "Bracketson", 4), "Extra Bracketson", "Team A", "Basic", "Basic",
         f"Expert (ask {STRAY['mixed']})"],
        ["2025/08/01 09:00:00", email(*PEOPLE[0], 4), "Hanako Yamadaberg", "Team A", "Aware", "Aware", "Aware"],
        ["2025/09/10 13:00:00", email("Extra", "Raggedworth", 4), STRAY["ragged"], "Team A", "Basic"],
    ]
    return csv_file(path, rows)


def all_emails() -> set[str]:
    found = {email(f, last, w) for f, last in PEOPLE for w in (1, 2, 3, 4)}
    found |= {email("Extra", s, 4) for s in ("Stampington", "Bracketson", "Raggedworth")}
    return found | set(STRAY.values())


def needles() -> set[bytes]:
    """Every email as typed, lower- and upper-cased, their local parts, and every full name."""
    out = set()
    for address in all_emails():
        for form in (address, address.lower(), address.upper(), address.title()):
            out.add(form.encode())
            out.add(form.split("@")[0].encode())
    out |= {f"{f} {last}".encode() for f, last in PEOPLE}
    out |= {last.encode() for _, last in PEOPLE}  # surnames are distinctive enough to search alone
    return out


def db_bytes(db: Path) -> dict[str, bytes]:
    """Every file the database keeps next to it (.duckdb, .wal, lock, spill folders)."""
    folder = db.parent
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def hits(files: dict[str, bytes], wanted: set[bytes]) -> list[tuple[str, str]]:
    return sorted((name, w.decode()) for name, data in files.items() for w in wanted if w in data)


@pytest.fixture
def loaded_db(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SKILLS_SECRET_FILE", str(tmp_path / "key" / "respondent-id.key"))
    src = tmp_path / "exports"
    src.mkdir()
    db = tmp_path / "db" / "skills.duckdb"
    db.parent.mkdir()
    results = [
        ingest_file(csv_file(src / "wave1.csv", survey_rows(1)), db=str(db)),
        ingest_file(csv_file(src / "wave2.csv", survey_rows(2)), db=str(db)),
        ingest_file(xlsx_file(src / "wave3.xlsx", survey_rows(3)), db=str(db)),
        ingest_file(messy_file(src / "messy.csv"), db=str(db)),
    ]
    # Hand counts: 8 + 8 + 8 clean rows; the messy file has 12 rows of which 6 valid.
    assert [(r.status, r.rows_loaded, r.rows_rejected) for r in results] == \
        [("loaded", 8, 0)] * 3 + [("loaded", 6, 6)], [r.message for r in results]
    return db


def test_database_files_hold_no_email_or_name(loaded_db):
    files = db_bytes(loaded_db)  # every connection was closed by the ingest writer
    assert any(name.endswith(".duckdb") for name in files)
    found = hits(files, needles())
    assert found == [], f"emails or names found in the database files: {found}"


def test_byte_scan_would_see_a_stored_email(loaded_db, tmp_path):
    """Positive control: the same database with one email really stored is caught by the scan."""
    control = tmp_path / "control" / "skills.duckdb"
    control.parent.mkdir()
    for suffix in ("", ".wal"):
        if Path(f"{loaded_db}{suffix}").exists():
            shutil.copy(f"{loaded_db}{suffix}", f"{control}{suffix}")
    con = duckdb.connect(str(control))
    con.execute("CREATE TABLE leak AS SELECT ? AS v", [STRAY["level"]])
    con.close()
    assert (("skills.duckdb", STRAY["level"]) in hits(db_bytes(control), {STRAY["level"].encode()}))


def test_no_text_column_holds_an_email(loaded_db):
    """The same check through SQL, which compression can't hide from."""
    con = duckdb.connect(str(loaded_db), read_only=True)
    try:
        columns = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' "
                              "AND data_type = 'VARCHAR'").fetchall()
        found = []
        for table, column in columns:
            values = [r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}" '
                                                f'WHERE "{column}" LIKE ?', ["%@%"]).fetchall()]
            found += [(table, column, v) for v in values]
    finally:
        con.close()
    assert found == [], f"stored text containing an email address: {found}"


def test_rejected_values_show_email_placeholder(loaded_db):
    con = duckdb.connect(str(loaded_db), read_only=True)
    try:
        rows = con.execute("""
            SELECT source_row, value FROM rejected_rows
            WHERE ingestion_id = (SELECT max(ingestion_id) FROM ingestions) ORDER BY ALL
        """).fetchall()
    finally:
        con.close()
    assert {r for r, _ in rows} == {8, 9, 10, 11, 12, 13}
    values = {row: {v for r, v in rows if r == row} for row in (8, 10, 11)}
    assert "<email>" in values[8], "the email typed as Docker's level is shown as <email>"
    assert "<email>" in values[10], "the email typed as the timestamp is shown as <email>"
    assert "Expert (ask <email>)" in values[11], "only the email part of a level answer is masked"


def test_email_typed_into_a_kept_answer_is_not_stored(tmp_path, monkeypatch):
    """A valid row whose team cell holds an email: whatever happens to the row, the email is not stored."""
    monkeypatch.setenv("SKILLS_SECRET_FILE", str(tmp_path / "key"))
    rows = survey_rows(1)
    rows[1][3] = KEPT_TEAM_EMAIL
    db = tmp_path / "db" / "skills.duckdb"
    db.parent.mkdir()
    result = ingest_file(csv_file(tmp_path / "team.csv", rows), db=str(db))
    assert result.status == "loaded"
    assert result.rows_read == 8
    found = hits(db_bytes(db), {KEPT_TEAM_EMAIL.encode(), KEPT_TEAM_EMAIL.split("@")[0].encode()})
    assert found == [], f"raw email typed in a team cell was stored: {found}"
