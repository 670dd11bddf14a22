"""The reader: every encoding, delimiter and line end an HR export comes in, and XLSX.

Each test writes a small file, reads it with pipelines.read_file.read_any and compares the cells
with the exact texts it wrote (the reader must hand back text as the file holds it).
"""
from __future__ import annotations

import datetime as dt

import pytest
from pipeline_fixtures import csv_text, levels_by_team, make_env, write_csv, write_xlsx

from pipelines.read_file import FileRefused, read_any


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private database and respondent-id key in tmp_path."""
    return make_env(tmp_path, monkeypatch)


def cells(raw) -> list[list[str]]:
    """The records of a RawTable as a list of rows of strings (header records included)."""
    cols = raw.rows.column_names
    data = raw.rows.to_pydict()
    return [[data[c][i] for c in cols] for i in range(raw.rows.num_rows)]


SURVEY_EN = [
    ["Timestamp", "Email Address", "Department", "Docker", "Kubernetes"],
    ["2025/05/01 10:00:00", "anna@example.com", "Café Zürich – Straße", "Expert", "Basic"],
    ["2025/05/02 11:30:00", "bjorn@example.com", "naïve façade €5 ’quoted’", "None", "Aware"],
    ["2025/05/03 09:15:00", "chloe@example.com", "Ålesund Øst", "Proficient", "Expert"],
]

SURVEY_JA = [
    ["タイムスタンプ", "メールアドレス", "部署", "Docker", "Kubernetes"],
    ["2025/05/01 10:00:00", "taro@example.jp", "開発部", "エキスパート", "基礎"],
    ["2025/05/02 11:00:00", "hanako@example.jp", "インフラ部", "未経験", "実務"],
    ["2025/05/03 12:00:00", "jiro@example.jp", "データ基盤部", "知っている", "上級"],
    ["2025/05/04 13:00:00", "saburo@example.jp", "品質保証部", "中級", "なし"],
]


# --- encodings ----------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding, rows", [
    ("utf-8", SURVEY_EN),
    ("utf-8", SURVEY_JA),
    ("utf-8-sig", SURVEY_EN),
    ("utf-8-sig", SURVEY_JA),
    ("utf-16", SURVEY_EN),  # Python's utf-16 codec writes a BOM
    ("utf-16", SURVEY_JA),
    ("cp932", SURVEY_JA),
    ("shift_jis", SURVEY_JA),
    ("cp1252", SURVEY_EN),
    ("mac_roman", SURVEY_EN),
])
def test_every_supported_encoding_reads_back_the_exact_texts(tmp_path, encoding, rows):
    path = write_csv(tmp_path / "export.csv", rows, encoding=encoding)
    raw = read_any(path)
    assert cells(raw) == rows
    # The BOM is not part of the first header.
    assert not cells(raw)[0][0].startswith("\ufeff")


def test_utf8_bom_is_not_glued_to_the_first_header(tmp_path):
    path = write_csv(tmp_path / "bom.csv", SURVEY_EN, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert cells(read_any(path))[0][0] == "Timestamp"


def test_utf16_le_and_be_with_bom(tmp_path):
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        path = tmp_path / f"{codec}.csv"
        path.write_bytes(bom + csv_text(SURVEY_JA).encode(codec))
        assert cells(read_any(path)) == SURVEY_JA, codec


def test_declared_encoding_wins_over_detection(tmp_path):
    path = write_csv(tmp_path / "sjis.csv", SURVEY_JA, encoding="cp932")
    assert cells(read_any(path, encoding="cp932")) == SURVEY_JA


def test_shift_jis_file_with_japanese_headers_and_labels_ingests(env):
    """A cp932 Google Forms export in Japanese loads with no profile: headers, labels, team names."""
    path = write_csv(env.tmp / "回答.csv", SURVEY_JA, encoding="cp932")
    result = env.ingest(path)
    assert result.status == "loaded", result.message
    # By hand: エキスパート 4, 基礎 2 / 未経験 0, 実務 3 / 知っている 1, 上級 4 / 中級 3, なし 0.
    assert levels_by_team(env) == {
        "開発部": {"docker": 4, "kubernetes": 2},
        "インフラ部": {"docker": 0, "kubernetes": 3},
        "データ基盤部": {"docker": 1, "kubernetes": 4},
        "品質保証部": {"docker": 3, "kubernetes": 0},
    }
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 4, 0)


# --- delimiters and line ends -------------------------------------------------------------------

@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(tmp_path, delimiter):
    rows = [
        ["Email Address", "Team", "Docker", "Terraform", "Which clouds do you use?"],
        ["a@example.com", "Platform, SRE", "Expert", "3", "AWS, GCP"],  # commas inside values
        ["b@example.com", "Data; ML", "Basic", "1", "Azure"],  # semicolons inside values
        ["c@example.com", "Web", "", "0", ""],
    ]
    path = write_csv(tmp_path / "d.csv", rows, delimiter=delimiter)
    raw = read_any(path)
    assert raw.delimiter == delimiter
    assert cells(raw) == rows


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r\r\n"], ids=["LF", "CRLF", "CRCRLF"])
def test_line_ends(tmp_path, newline):
    path = write_csv(tmp_path / "eol.csv", SURVEY_EN, newline=newline)
    assert newline.encode() in path.read_bytes()
    raw = read_any(path)
    got = cells(raw)
    assert got == SURVEY_EN  # no blank rows between records, no stray \r at line ends
    assert raw.n_records == len(SURVEY_EN)


def test_cr_cr_lf_file_gives_consecutive_row_numbers(env):
    """CR CR LF is one line end: a bad value in the 3rd response is spreadsheet row 4, not 7."""
    rows = [["Email Address", "Team", "Docker"],
            ["a@example.com", "A", "Expert"],
            ["b@example.com", "B", "Basic"],
            ["c@example.com", "C", "guru"],
            ["d@example.com", "D", "aware"]]
    path = write_csv(env.tmp / "crcrlf.csv", rows, newline="\r\r\n")
    result = env.ingest(path, wave="2025-H1")
    assert result.status == "loaded", result.message
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 3, 1)
    assert env.rows("SELECT source_row, column_name, value FROM rejected_rows") == [(4, "Docker", "guru")]


def test_quoted_newlines_stay_inside_the_cell(tmp_path):
    rows = [
        ["Email Address", "Comment", "Docker"],
        ["a@example.com", "first line\nsecond line", "Expert"],
        ["b@example.com", "one\r\ntwo\r\nthree", "Basic"],
        ["c@example.com", "plain", "Aware"],
    ]
    for newline in ("\n", "\r\n"):
        path = write_csv(tmp_path / "q.csv", rows, newline=newline)
        raw = read_any(path)
        got = cells(raw)
        assert raw.n_records == 4
        assert got[1][1] == "first line\nsecond line"
        assert got[2][1].replace("\r\n", "\n") == "one\ntwo\nthree"
        assert [r[0] for r in got] == [r[0] for r in rows]
        assert [r[2] for r in got] == [r[2] for r in rows]


# --- missing values are not guessed -------------------------------------------------------------

def test_na_none_null_texts_stay_text(tmp_path):
    rows = [
        ["Email Address", "Team", "Role", "Docker", "Kubernetes"],
        ["a@example.com", "NA", "None", "None", "N/A"],
        ["b@example.com", "null", "NaN", "", "#N/A"],
        ["c@example.com", "nan", "-", "NULL", "n/a"],
    ]
    path = write_csv(tmp_path / "na.csv", rows)
    got = cells(read_any(path))
    assert got == rows  # '' is the only empty; every marker comes back as the text it is


def test_na_none_texts_stay_text_in_xlsx(tmp_path):
    rows = [["Email Address", "Team", "Docker"], ["a@example.com", "NA", "None"], ["b@example.com", "None", "NA"]]
    path = write_xlsx(tmp_path / "na.xlsx", {"Responses": rows})
    assert cells(read_any(path)) == rows


# --- XLSX ---------------------------------------------------------------------------------------

def test_xlsx_first_sheet_is_read_even_when_another_is_active(tmp_path):
    survey = [["Email Address", "Team", "Docker", "Kubernetes"],
              ["a@example.com", "Platform", "Expert", 3],
              ["b@example.com", "Data", "Basic", 1]]
    notes = [["This sheet is not the survey"], ["ignore me"]]
    path = write_xlsx(tmp_path / "export.xlsx", {"Responses": survey, "Notes": notes}, active=1)
    raw = read_any(path)
    assert raw.kind == "xlsx"
    assert cells(raw) == [["Email Address", "Team", "Docker", "Kubernetes"],
                          ["a@example.com", "Platform", "Expert", "3"],  # a number cell reads as 3, not 3.0
                          ["b@example.com", "Data", "Basic", "1"]]


def test_xlsx_other_sheet_when_told(tmp_path):
    path = write_xlsx(tmp_path / "two.xlsx", {"Summary": [["x"], ["y"]],
                                              "Raw": [["Email Address", "Docker"], ["a@example.com", "Expert"]]})
    assert cells(read_any(path, sheet="Raw")) == [["Email Address", "Docker"], ["a@example.com", "Expert"]]
    assert cells(read_any(path, sheet=1)) == [["Email Address", "Docker"], ["a@example.com", "Expert"]]


def test_xlsx_date_cells_become_readable_timestamps(env):
    survey = [["Timestamp", "Email Address", "Team", "Docker"],
              [dt.datetime(2025, 2, 3, 9, 30), "a@example.com", "T1", "Expert"],
              [dt.datetime(2025, 2, 4, 10, 0), "b@example.com", "T2", 2],
              [dt.datetime(2025, 2, 5, 11, 0), "c@example.com", "T3", "aware"]]
    path = write_xlsx(env.tmp / "dates.xlsx", {"Form Responses 1": survey})
    result = env.ingest(path)
    assert result.status == "loaded", result.message
    assert result.wave == "2025-H1"
    got = dict(env.rows("SELECT team, submitted_at FROM respondents"))
    assert got == {"T1": dt.datetime(2025, 2, 3, 9, 30), "T2": dt.datetime(2025, 2, 4, 10, 0),
                   "T3": dt.datetime(2025, 2, 5, 11, 0)}
    assert levels_by_team(env) == {"T1": {"docker": 4}, "T2": {"docker": 2}, "T3": {"docker": 1}}


# --- files that are not surveys -----------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"   \n\r\n  \n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n",
                                     b"\x1c\n\x1d\n", "\u3000\n\u00a0\n".encode()],
                         ids=["zero-bytes", "whitespace", "bom-only", "bom-newline", "separator-chars", "unicode-spaces"])
def test_empty_files_are_refused(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(FileRefused):
        read_any(path)


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4,
    b"%PDF-1.7\n" + bytes(range(256)) * 8,
    bytes((i * 37 + 11) % 256 for i in range(4096)),
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,  # legacy .xls
    b"PK\x03\x04" + b"\x00" * 100,  # a zip that is not a workbook
], ids=["png", "pdf", "noise", "xls", "broken-zip"])
def test_binary_files_are_refused_with_one_line(tmp_path, content):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(FileRefused) as info:
        read_any(path)
    assert "\n" not in str(info.value) and str(info.value)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(FileRefused):
        read_any(tmp_path / "does-not-exist.csv")


def test_the_digest_is_of_the_bytes_that_were_parsed(tmp_path):
    import hashlib

    csv_path = tmp_path / "a.csv"
    csv_path.write_bytes(b"Email Address,Docker\r\na@example.com,3\r\n")
    xlsx_path = write_xlsx(tmp_path / "a.xlsx", {"Sheet1": [["Email Address", "Docker"], ["a@example.com", 3]]})
    for path in (csv_path, xlsx_path):
        assert read_any(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
