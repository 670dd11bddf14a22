"""The broken-file corpus: every case is a file made from scratch plus the outcome we document for it.

Expected outcomes come from the ingest spec (issue 2: refusal rules, rejected_rows, the row identity
rows_read = rows_loaded + rows_rejected) and were worked out by hand from the bytes each builder
writes, never from what the pipeline happens to do. docs/robustness.md holds the same table
(`markdown_table()` renders it; a test keeps the two identical).

Row numbers are what a spreadsheet user sees: the header is row 1, the first response row 2.
"""
from __future__ import annotations

import csv
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl

HEADER = ["Timestamp", "Email Address", "Team",
          "Rate your skills [Docker]", "Rate your skills [Terraform]", "Rate your skills [Kubernetes]"]
SKILLS = ["docker", "terraform", "kubernetes"]  # taxonomy ids of the three rated columns, in order
TEAMS = ["Platform", "Data", "Security"]
LABELS = ["None", "Aware", "Basic", "Proficient", "Expert"]  # levels 0-4, default labels


@dataclass(frozen=True)
class Case:
    name: str
    input: str  # what the file is, in a few words
    build: Callable[[Path], Path]  # writes the file into a folder, returns its path
    status: str  # loaded | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejected_at: tuple[int, ...] = ()  # spreadsheet rows that must appear in rejected_rows
    answers: int | None = None  # answers rows the ingestion must hold
    wave: str = "2025-H1"  # the wave a loaded file lands in (half-year of the median submission)
    why: str = ""  # the reasoning behind the documented outcome
    reason: str = ""  # refusals: a regex (case-insensitive) the one-line message must match
    profile: Callable[[Path], Path] | None = None
    check: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None  # extra assertions on a load

    def outcome(self) -> str:
        if self.status == "rejected":
            return "refused, nothing written, one-line message"
        rows = f" (rows {', '.join(map(str, self.rejected_at))})" if self.rejected_at else ""
        return (f"loaded into {self.wave}: {self.rows_read} read, {self.rows_loaded} loaded, "
                f"{self.rows_rejected} rejected{rows}")


# --- building blocks ---------------------------------------------------------------------------

def record(i: int, *, ts: str | None = None, email: str | None = None, team: str | None = None,
           levels: list[str] | None = None) -> list[str]:
    """Response number i (1-based, so spreadsheet row i + 1): valid unless a field is overridden."""
    return [ts if ts is not None else f"2025/03/{i % 28 + 1:02d} 10:{i % 60:02d}:00",
            email if email is not None else f"user{i}@example.com",
            team if team is not None else TEAMS[i % 3],
            *(levels if levels is not None else [LABELS[i % 5], LABELS[(i + 1) % 5], LABELS[(i + 2) % 5]])]


def records(n: int, **overrides: dict) -> list[list[str]]:
    """Responses 1..n; overrides maps 'r<i>' to the keyword changes for response i."""
    return [record(i, **overrides.get(f"r{i}", {})) for i in range(1, n + 1)]


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", newline: str = "\n", encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue().encode(encoding)


def line(row: list[str]) -> bytes:
    """One CSV record without its line end."""
    return csv_bytes([row], newline="")


def grid(n: int, **overrides: dict) -> bytes:
    return csv_bytes([HEADER, *records(n, **overrides)])


def xlsx_bytes(sheets: dict[str, list[list[str]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def png_bytes() -> bytes:
    """A real 1x1 PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def writer(name: str, make: Callable[[], bytes]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = Path(folder) / name
        path.write_bytes(make())
        return path

    return build


def levels_of(con: duckdb.DuckDBPyConnection, ingestion_id: int) -> list[tuple[int, ...]]:
    """Each respondent's (docker, terraform, kubernetes) levels, -1 where no answer; sorted."""
    rows = con.execute("""
        SELECT coalesce(max(level) FILTER (WHERE skill_id = ?), -1), coalesce(max(level) FILTER (WHERE skill_id = ?), -1),
               coalesce(max(level) FILTER (WHERE skill_id = ?), -1)
        FROM respondents r LEFT JOIN answers a USING (wave_id, respondent_id, ingestion_id)
        WHERE r.ingestion_id = ? GROUP BY r.respondent_id
    """, [*SKILLS, ingestion_id]).fetchall()
    return sorted(rows)


def teams_of(con: duckdb.DuckDBPyConnection, ingestion_id: int) -> list[str]:
    return sorted(r[0] for r in con.execute("SELECT team FROM respondents WHERE ingestion_id = ?",
                                            [ingestion_id]).fetchall())


# --- case-specific files and checks -------------------------------------------------------------

MB = 1 << 20
FORMULAS = ["=cmd|' /C calc'!A0", "+1", "@SUM(A1:A9)", "-2+3"]


def _ten_thousand_columns() -> bytes:
    extra = [f"Extra question {n}" for n in range(1, 10_000 - len(HEADER) + 1)]
    rows = [HEADER + extra] + [r + [""] * len(extra) for r in records(3)]
    rows[1][-1] = "free text"
    return csv_bytes(rows)


def _check_formulas(con, ingestion_id):
    assert teams_of(con, ingestion_id) == sorted(FORMULAS), "formula cells must be stored verbatim as text"


def _duplicates() -> bytes:
    return csv_bytes([HEADER,
                      record(1, email="alice@example.com", ts="2025/03/10 10:00:00", levels=["None", "None", "None"]),
                      record(2, email="bob@example.com"),
                      record(3, email="alice@example.com", ts="2025/03/10 12:00:00",
                             levels=["Expert", "Expert", "Expert"]),
                      record(4, email="carol@example.com"),
                      record(5, email="alice@example.com", ts="2025/03/10 11:00:00",
                             levels=["Aware", "Aware", "Aware"])])


def _check_latest_wins(con, ingestion_id):
    levels = levels_of(con, ingestion_id)
    assert (4, 4, 4) in levels, "the latest submission (12:00, all Expert) must be the one kept"
    assert (0, 0, 0) not in levels and (1, 1, 1) not in levels, "older submissions must not be loaded"


def _same_person() -> bytes:
    return csv_bytes([HEADER,
                      record(1, email="Dana@Example.com", ts="2025/03/10 09:00:00", levels=["None", "None", "None"]),
                      record(2, email=" dana@example.com ", ts="2025/03/10 10:00:00",
                             levels=["Aware", "Aware", "Aware"]),
                      record(3, email="DANA@EXAMPLE.COM", ts="2025/03/10 11:00:00",
                             levels=["Expert", "Expert", "Expert"]),
                      record(4, email="erin@example.com", levels=["Basic", "Basic", "Basic"]),
                      record(5, email="frank@example.com", levels=["Basic", "Basic", "Basic"])])


def _check_dana(con, ingestion_id):
    assert levels_of(con, ingestion_id) == [(2, 2, 2), (2, 2, 2), (4, 4, 4)]


def _check_plus(con, ingestion_id):
    n = con.execute("SELECT count(DISTINCT respondent_id) FROM respondents WHERE ingestion_id = ?",
                    [ingestion_id]).fetchall()[0][0]
    assert n == 4, "plus-addressed emails are different mailboxes: four distinct respondents"


def _numeric(levels_by_row: dict[int, list[str]], n: int) -> bytes:
    rows = [record(i, levels=levels_by_row.get(i, [str(i % 5), str((i + 1) % 5), str((i + 2) % 5)]))
            for i in range(1, n + 1)]
    return csv_bytes([HEADER, *rows])


def _check_duplicate_headers(con, ingestion_id):
    dup = con.execute("SELECT count(*) FROM (SELECT respondent_id, skill_id FROM answers WHERE ingestion_id = ? "
                      "GROUP BY ALL HAVING count(*) > 1)", [ingestion_id]).fetchall()[0][0]
    assert dup == 0, "one answer per respondent and skill even when a column header repeats"
    docker = sorted(r[0] for r in con.execute("SELECT level FROM answers WHERE ingestion_id = ? AND "
                                              "skill_id = 'docker'", [ingestion_id]).fetchall())
    assert docker == [1, 2, 3, 4]  # responses 1-4 rate Docker Aware, Basic, Proficient, Expert in both columns


def _duplicate_headers() -> bytes:
    header = HEADER[:4] + ["Rate your skills [Docker]", "Rate your skills [Terraform]"]
    rows = [r[:4] + [r[3], r[4]] for r in records(4)]
    return csv_bytes([header, *rows])


def _check_quoted(con, ingestion_id):
    # responses 3 and 4 keep their default teams (TEAMS[3 % 3], TEAMS[4 % 3])
    assert teams_of(con, ingestion_id) == sorted(["Platform, Infra", "Data\nScience", "Platform", "Data"])


def _mixed_line_endings() -> bytes:
    ends = [b"\n", b"\r\n", b"\r\r\n", b"\n", b"\r\n", b"\r\n"]
    rows = [HEADER, *records(5)]
    return b"".join(line(r) + end for r, end in zip(rows, ends, strict=True))


def _excel_resave() -> bytes:
    # Excel in a ';' locale kept each comma line as one cell; it quoted the header cell because the
    # question text holds its list separator, and split the multi-select answers apart at ';'.
    header = ",".join(HEADER + ["Which clouds do you use? (AWS; GCP; Azure)"])
    rows = [",".join(r) + ",AWS;GCP" for r in records(5)]
    return ('"' + header + '"\n' + "\n".join(rows) + "\n").encode("utf-8")


def _wrong_encoding_profile(folder: Path) -> Path:
    path = Path(folder) / "wrong-encoding.yaml"
    path.write_text(
        "name: wrong-encoding\n"
        "read:\n  encoding: shift_jis\n"
        "columns:\n  id: Email Address\n  team: Team\n  submitted_at: Timestamp\n"
        "questions:\n  - kind: rating\n    name: skill grid\n    match: '^Rate your skills \\['\n",
        encoding="utf-8")
    return path


def _buddhist_profile(folder: Path) -> Path:
    path = Path(folder) / "thai.yaml"
    path.write_text(
        "name: thai\n"
        "columns:\n  id: Email Address\n  team: Team\n  submitted_at: {column: Timestamp, era: buddhist}\n"
        "questions:\n  - kind: rating\n    name: skill grid\n    match: '^Rate your skills \\['\n",
        encoding="utf-8")
    return path


def _buddhist(n: int) -> bytes:
    return csv_bytes([HEADER, *[record(i, ts=f"2568/03/{i:02d} 10:00:00") for i in range(1, n + 1)]])


def _years_are(expected: set[int]):
    def check(con, ingestion_id):
        years = {r[0] for r in con.execute("SELECT DISTINCT year(submitted_at) FROM respondents "
                                           "WHERE ingestion_id = ?", [ingestion_id]).fetchall()}
        assert years == expected, "submission dates are kept as written"

    return check


def _repeated_header() -> bytes:
    rows = records(6)
    return (csv_bytes([HEADER, *rows[:3]]) + b"\xef\xbb\xbf" + csv_bytes([HEADER, *rows[3:]]))


# --- the corpus ---------------------------------------------------------------------------------

REFUSE_WHY = "spec: a file that is unreadable, empty or binary is refused whole"

CASES: list[Case] = [
    Case("empty_file", "0 bytes", writer("empty.csv", lambda: b""), "rejected", reason=r"empty", why="empty: refused"),
    Case("whitespace_only", "spaces, tabs and blank lines", writer("blank.csv", lambda: b"  \n\t \r\n \n"),
         "rejected", reason=r"empty", why="empty: refused"),
    Case("bom_only", "a UTF-8 BOM and nothing else", writer("bom.csv", lambda: b"\xef\xbb\xbf"), "rejected", reason=r"empty",
         why="empty: refused"),
    Case("header_only", "the header row, no responses", writer("header.csv", lambda: csv_bytes([HEADER])),
         "rejected", reason=r"no responses|empty", why="no responses = empty: refused"),
    Case("header_only_delimiters", "first row is ',,,,,' then 4 responses",
         writer("delims.csv", lambda: b",,,,,\n" + csv_bytes(records(4))), "rejected", reason=r"skill",
         why="no header names a skill: refused (no recognisable skill columns)"),
    Case("binary_garbage", "4 KiB of seeded random bytes",
         writer("garbage.csv", lambda: random.Random(8).randbytes(4096)), "rejected", reason=r"binary|not a text|unreadable|encoding", why=REFUSE_WHY),
    Case("png_renamed_csv", "a real PNG image named .csv", writer("photo.csv", png_bytes), "rejected", reason=r"binary|not a text|unreadable|image",
         why=REFUSE_WHY),
    Case("legacy_xls_ole", "OLE2 header of a legacy .xls", writer(
        "old.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"\xff" * 512), "rejected", reason=r"xls",
        why="unreadable (only CSV and XLSX are read): refused"),
    Case("zip_not_xlsx", "a zip holding a CSV, named .xlsx", writer("survey.xlsx", lambda: _zip(grid(4))),
         "rejected", reason=r"xlsx|workbook|zip", why="unreadable as a workbook: refused"),
    Case("truncated_xlsx", "first half of a valid 4-response workbook",
         writer("cut.xlsx", lambda: (b := xlsx_bytes({"Responses": [HEADER, *records(4)]}))[: len(b) // 2]),
         "rejected", reason=r"xlsx|workbook|damaged|truncated", why="unreadable: refused"),
    Case("xlsx_empty_first_sheet", "workbook whose first sheet is empty, responses on sheet 2",
         writer("sheets.xlsx", lambda: xlsx_bytes({"Notes": [], "Responses": [HEADER, *records(4)]})),
         "rejected", reason=r"sheet|empty", why="the first sheet is read unless a profile says otherwise; it is empty: refused"),
    Case("truncated_last_record", "5 responses, the last cut off mid-record (3 of 6 fields)",
         writer("truncated.csv", lambda: grid(4) + b"2025/03/06 10:05:00,user5@example.com,Plat"),
         "loaded", 5, 4, 1, (6,), answers=12,
         why="a damaged record is a failing row; the valid rows load"),
    Case("truncated_inside_quoted_field", "5 responses, the file ends inside an open quote in the last one",
         writer("openquote.csv", lambda: grid(4) + b'2025/03/06 10:05:00,user5@example.com,"Platform te'),
         "loaded", 5, 4, 1, (6,), answers=12,
         why="same as a truncated record: only the cut record fails"),
    Case("ragged_rows_middle", "6 responses; row 3 has 4 fields, row 5 has 5",
         writer("ragged.csv", lambda: csv_bytes([HEADER, *[r[:4] if i == 2 else r[:5] if i == 4 else r
                                                           for i, r in enumerate(records(6), start=1)]])),
         "loaded", 6, 4, 2, (3, 5), answers=12, why="damaged records fail; the valid rows load"),
    Case("extra_fields", "5 responses; row 4 has a 7th field",
         writer("extra.csv", lambda: csv_bytes([HEADER, *[r + ["oops"] if i == 3 else r
                                                          for i, r in enumerate(records(5), start=1)]])),
         "loaded", 5, 4, 1, (4,), answers=12,
         why="a record wider than the header can't be placed column by column: it fails"),
    Case("wrong_encoding_in_profile", "UTF-8 file with Japanese labels, profile says shift_jis",
         writer("ja.csv", lambda: csv_bytes([HEADER, *[record(i, team="開発部", levels=["上級", "基礎", "実務"])
                                                       for i in range(1, 5)]])),
         "rejected", reason=r"shift_jis", profile=_wrong_encoding_profile,
         why="the declared encoding wins; the file is not readable as shift_jis (or every label is mojibake): "
             "refused"),
    Case("utf16_le_no_bom", "the 4-response grid in UTF-16-LE without a BOM",
         writer("utf16.csv", lambda: grid(4).decode().encode("utf-16-le")), "rejected", reason=r"binary|encoding|utf-16|unreadable",
         why="spec reads UTF-16 only with a BOM; without one the NUL-filled bytes are unreadable: refused"),
    Case("huge_cell_free_text", "4 responses plus a Comments column; one comment is 1 MiB",
         writer("comment.csv", lambda: csv_bytes([HEADER + ["Comments"], *[r + (["x" * MB] if i == 2 else [""])
                                                                           for i, r in enumerate(records(4), 1)]])),
         "loaded", 4, 4, 0, answers=12, why="an unmapped column is ignored whatever its size"),
    Case("huge_cell_level", "4 responses; row 3's Docker cell is 1 MiB of 'x'",
         writer("hugelevel.csv", lambda: grid(4, r2={"levels": ["x" * MB, "Basic", "Basic"]})),
         "loaded", 4, 3, 1, (3,), answers=9, why="not a proficiency level: that row fails"),
    Case("huge_cell_team", "4 responses; row 3's team is 1 MiB of 'x'",
         writer("hugeteam.csv", lambda: grid(4, r2={"team": "x" * MB})), "loaded", 4, 4, 0, answers=12,
         why="team is free text with no length limit in the spec: the row loads"),
    Case("ten_thousand_columns", "header of 10,000 columns (6 known + 9,994 unknown), 3 responses",
         writer("wide.csv", _ten_thousand_columns), "loaded", 3, 3, 0, answers=9,
         why="unknown columns are ignored"),
    Case("formula_injection_team", "teams =cmd|' /C calc'!A0, +1, @SUM(A1:A9), -2+3; row 6 level '=2+2'",
         writer("formula.csv", lambda: csv_bytes([HEADER, *[record(i, team=t) for i, t in enumerate(FORMULAS, 1)],
                                                  record(5, levels=["=2+2", "Basic", "Basic"])])),
         "loaded", 5, 4, 1, (6,), answers=12, check=_check_formulas,
         why="cells are text: teams stored verbatim; '=2+2' is not evaluated (it would be 4) so it is no level"),
    Case("duplicate_submissions", "alice submits 3 times (10:00, 12:00, 11:00) among 5 rows",
         writer("dups.csv", _duplicates), "loaded", 5, 3, 2, (2, 6), answers=9, check=_check_latest_wins,
         why="spec: the latest submission counts, the others go to rejected_rows as superseded"),
    Case("same_person_case_spaces", "Dana@Example.com, ' dana@example.com ', DANA@EXAMPLE.COM + 2 others",
         writer("dana.csv", _same_person), "loaded", 5, 3, 2, (2, 3), answers=9, check=_check_dana,
         why="ids hash the normalised email (case, surrounding spaces): one person, latest wins"),
    Case("plus_addressing", "gina@, gina+survey@, gina+hr@ and one other",
         writer("plus.csv", lambda: grid(4, r1={"email": "gina@example.com"}, r2={"email": "gina+survey@example.com"},
                                         r3={"email": "gina+hr@example.com"})),
         "loaded", 4, 4, 0, answers=12, check=_check_plus,
         why="normalisation is case/width/spacing only; a plus address is a different mailbox"),
    Case("out_of_range_levels", "numeric levels 0-4; row 3 Docker '7', row 5 Terraform '-1'",
         writer("range.csv", lambda: _numeric({2: ["7", "1", "1"], 4: ["1", "-1", "1"]}, 6)),
         "loaded", 6, 4, 2, (3, 5), answers=12, why="a number outside the 0-4 scale fails its row"),
    Case("level_far_off_scale", "numeric levels 0-4; row 3 Docker '200', row 5 Terraform a 400-digit number",
         writer("far_off.csv", lambda: _numeric({2: ["200", "1", "1"], 4: ["1", "9" * 400, "1"]}, 6)),
         "loaded", 6, 4, 2, (3, 5), answers=12,
         why="a number no level column could hold is no level: its row fails, not the whole file"),
    Case("garbage_levels", "5 responses; rows 3 and 5 hold 'very good' and '??'",
         writer("garbage_levels.csv", lambda: grid(5, r2={"levels": ["very good", "Basic", "Basic"]},
                                                   r4={"levels": ["Basic", "??", "Basic"]})),
         "loaded", 5, 3, 2, (3, 5), answers=9, why="not a proficiency level: those rows fail"),
    Case("all_rows_invalid", "4 responses, every Docker cell 'lots'",
         writer("allbad.csv", lambda: grid(4, **{f"r{i}": {"levels": ["lots", "Basic", "Basic"]} for i in range(1, 5)})),
         "rejected", reason=r"half", why="more than half the rows fail: refused"),
    Case("more_than_half_invalid", "5 responses, 3 with level 'lots'",
         writer("mostbad.csv", lambda: grid(5, **{f"r{i}": {"levels": ["lots", "Basic", "Basic"]} for i in (1, 3, 5)})),
         "rejected", reason=r"half", why="3 of 5 > half: refused"),
    Case("exactly_half_invalid", "4 responses, 2 with level 'lots'",
         writer("halfbad.csv", lambda: grid(4, r1={"levels": ["lots", "Basic", "Basic"]},
                                            r2={"levels": ["Basic", "lots", "Basic"]})),
         "loaded", 4, 2, 2, (2, 3), answers=6, why="2 of 4 is not more than half: the valid half loads"),
    Case("no_skill_columns", "Timestamp, Email, Team, Favourite colour, Years here",
         writer("noskills.csv", lambda: csv_bytes([HEADER[:3] + ["Favourite colour", "Years here"],
                                                   *[r[:3] + ["blue", "3"] for r in records(4)]])),
         "rejected", reason=r"skill", why="no recognisable skill columns: refused"),
    Case("unknown_skill_names_only", "grid of [Frobnicator 3000] and [Quantum Teapot Polishing]",
         writer("unknown.csv", lambda: csv_bytes([HEADER[:3] + ["Rate your skills [Frobnicator 3000]",
                                                                "Rate your skills [Quantum Teapot Polishing]"],
                                                  *[r[:5] for r in records(4)]])),
         "rejected", reason=r"skill", why="no header names a known skill: refused (fuzzy guesses are never applied silently)"),
    Case("duplicate_column_headers", "'Rate your skills [Docker]' (and Terraform) twice, same answers",
         writer("duphead.csv", _duplicate_headers), "loaded", 4, 4, 0, answers=8, check=_check_duplicate_headers,
         why="the repeated columns agree: one answer per respondent and skill"),
    Case("nul_byte_in_cell", "5 responses; row 4's team is 'Plat\\x00form'",
         writer("nul.csv", lambda: grid(5, r3={"team": "Plat\x00form"})), "loaded", 5, 5, 0, answers=15,
         why="one stray control byte in a text cell does not make a text file binary; team is free text"),
    Case("bom_in_middle", "U+FEFF before a header name in the middle and in a team cell",
         writer("midbom.csv", lambda: csv_bytes([HEADER[:4] + ["\ufeff" + HEADER[4], HEADER[5]],
                                                 *records(4, r2={"team": "\ufeffData"})])),
         "loaded", 4, 4, 0, answers=12, why="an invisible BOM does not hide the Terraform column"),
    Case("mixed_line_endings", "5 responses ending LF, CRLF, CR CR LF, LF, CRLF",
         writer("endings.csv", _mixed_line_endings), "loaded", 5, 5, 0, answers=15,
         why="spec: LF, CRLF and CR CR LF are all line ends"),
    Case("quoted_delimiter_and_newline", "teams '\"Platform, Infra\"' and '\"Data\\nScience\"'",
         writer("quoted.csv", lambda: grid(4, r1={"team": "Platform, Infra"}, r2={"team": "Data\nScience"})),
         "loaded", 4, 4, 0, answers=12, check=_check_quoted, why="spec: quoted delimiters and newlines"),
    Case("trailing_empty_rows", "4 responses then blank lines and ',,,,,' rows",
         writer("trailing.csv", lambda: grid(4) + b"\n\n,,,,,\n,,,,,\n\n"), "loaded", 4, 4, 0, answers=12,
         why="all-empty records are not responses (as trailing empty rows of an XLSX): not counted"),
    Case("blank_lines_between_rows", "4 responses separated by blank lines",
         writer("gaps.csv", lambda: b"\n\n".join(line(r) for r in [HEADER, *records(4)]) + b"\n"),
         "loaded", 4, 4, 0, answers=12, why="blank lines are not records"),
    Case("excel_semicolon_resave", "Excel re-save: all names in one quoted header cell, answers split at ';'",
         writer("resaved.csv", _excel_resave), "rejected", reason=r"excel|separator|one cell",
         why="no column can be mapped; refused with a one-line reason"),
    Case("buddhist_era_no_profile", "timestamps 2568/03/01.. (Thai Buddhist era), no profile",
         writer("thai.csv", lambda: _buddhist(4)), "rejected", reason=r"future.*buddhist",
         why="the era is a profile setting and is never guessed; a submission centuries ahead fails its row "
             "with a hint to declare era: buddhist, and with every row failing the file is refused"),
    Case("buddhist_era_with_profile", "the same file with a profile declaring era: buddhist",
         writer("thai.csv", lambda: _buddhist(4)), "loaded", 4, 4, 0, answers=12, profile=_buddhist_profile,
         why="2568 - 543 = 2025, so wave 2025-H1"),
    Case("future_dates", "4 responses submitted in April 2031",
         writer("future.csv", lambda: csv_bytes([HEADER, *[record(i, ts=f"2031/04/{i:02d} 09:00:00")
                                                            for i in range(1, 5)]])),
         "rejected", reason=r"in the future",
         why="nobody submits from the future: each such row fails, and with every row failing the file is refused"),
    Case("far_future_year_typo", "4 responses, one submitted in the year 2300 (a typo)",
         writer("typo.csv", lambda: grid(4, r4={"ts": "2300/03/04 10:00:00"})), "loaded", 4, 3, 1, (5,),
         answers=9, check=_years_are({2025}),
         why="the row with a submission time in the future fails; the others load into 2025-H1"),
    Case("empty_email_cells", "6 responses; rows 3 and 6 have no email",
         writer("noemail.csv", lambda: grid(6, r2={"email": ""}, r5={"email": ""})), "loaded", 6, 4, 2, (3, 6),
         answers=12, why="an answer that can't be attributed to a person fails its row"),
    Case("concatenated_exports_repeated_header", "two exports pasted together: BOM + header again at row 5",
         writer("concat.csv", _repeated_header), "loaded", 7, 6, 1, (5,), answers=18,
         why="the repeated header is a row whose levels and date are not valid: it fails, the rest load"),
    Case("html_page_saved_as_csv", "a sign-in HTML page saved under .csv",
         writer("login.csv", lambda: b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n"
                                     b"<body><form>Email: <input name=email></form></body></html>\n"),
         "rejected", reason=r"skill", why="no recognisable skill columns: refused"),
]


def _zip(payload: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("responses.csv", payload)
    return buf.getvalue()


def markdown_table() -> str:
    """The docs/robustness.md table, one line per case."""
    lines = ["| # | case | input | documented outcome | why |", "|---|---|---|---|---|"]
    for n, case in enumerate(CASES, 1):
        cells = [str(n), f"`{case.name}`", case.input, case.outcome(), case.why]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
