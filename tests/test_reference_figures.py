"""benchmarks/reference_figures.py: the public reference figures.

Two parts: tiny hand-made files in each layout (counts worked out by hand below), and the real
public files in ../shared/realdata (skipped where absent), checked against the figures its README
publishes for them (section 1's sample check table, sections 2 and 4's counts)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from benchmarks.reference_figures import OUT, REALDATA, SPECS, Spec, compute, main

ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def by_answer(rows: list[dict]) -> dict[str, tuple[int, int]]:
    return {r["answer"]: (r["count"], r["base"]) for r in rows}


def test_kaggle_layout(tmp_path):
    q = "Which cloud? - Selected Choice - "
    write(tmp_path / "k" / "x.csv", [
        ["Q1", "Q9_Part_1", "Q9_Part_2", "Q9_Part_3", "Q9_OTHER_TEXT"],
        ["Age", q + "Amazon Web Services (AWS) ", q + "Google Cloud Platform (GCP)", q + " Microsoft Azure ", "Other"],
        ["30", " Amazon Web Services (AWS) ", "", "", "-1"],   # AWS
        ["40", "", "Google Cloud Platform (GCP)", " Microsoft Azure ", "-1"],  # GCP, Azure
        ["50", "", "", "", "3"],   # answered only the free-text column: not in the base
        ["60", "  ", "", "", "-1"],  # blank after strip: not answered
    ])
    spec = Spec("k", "K", 2020, "k/*.csv", "kaggle", "utf-8", r"^Q9_Part_\d+$", "q",
                SPECS[0].answers, "licence", 4, "a sample")
    rows = compute(spec, tmp_path)
    assert by_answer(rows) == {"Amazon Web Services (AWS)": (1, 2), "Google Cloud Platform (GCP)": (1, 2),
                               "Microsoft Azure": (1, 2)}
    assert rows[0]["share"] == 0.5 and rows[0]["sample"] == "full file" and rows[0]["provider"] == "AWS"


def test_surveymonkey_layout_and_encoding(tmp_path):
    write(tmp_path / "c.csv", [
        ["Respondent", "Where do you deploy?\u00a0Select all", "", "", "Next question"],
        ["Response", "Amazon Web Services (AWS)", "Google Cloud Platform (GCP)", "Microsoft Azure", "Response"],
        ["1", "Amazon Web Services (AWS)", "", "", "x"],
        ["2", "Amazon Web Services (AWS)", "Google Cloud Platform (GCP)", "", "x"],
        ["3", "", "", "", "x"],  # did not answer the question
        ["4", "", "", "Microsoft Azure", "x"],
    ], encoding="mac_roman")
    spec = Spec("c", "C", 2019, "c.csv", "surveymonkey", "mac_roman", r"^Where do you deploy", "q",
                SPECS[4].answers, "licence", None, "")
    assert by_answer(compute(spec, tmp_path)) == {"Amazon Web Services (AWS)": (2, 3),
                                                  "Google Cloud Platform (GCP)": (1, 3), "Microsoft Azure": (1, 3)}


def test_semicolon_layout_drops_na_and_a_truncated_last_record(tmp_path):
    path = tmp_path / "so" / "survey_results_public.csv"
    write(path, [["Id", "Tools"], ["1", "Docker;Kubernetes"], ["2", "NA"], ["3", "Docker"], ["4", "Dockerfile"]])
    path.write_bytes(path.read_bytes() + b"5")  # a record cut short: one field of two
    spec = Spec("s", "S", 2023, "so/*.csv", "semicolon", "utf-8", "Tools", "q",
                (("Docker", "", "docker", "Docker"), ("Kubernetes", "", "kubernetes", "Kubernetes")), "l", 10, "first")
    rows = compute(spec, tmp_path)
    assert by_answer(rows) == {"Docker": (2, 3), "Kubernetes": (1, 3)}  # "Dockerfile" is not Docker
    assert rows[0]["sample"] == "4 of 10 responses, first"


def test_missing_files_are_one_line(tmp_path, capsys):
    assert main(["--realdata", str(tmp_path), "--out", str(tmp_path / "out.csv")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no file matching" in err
    assert not (tmp_path / "out.csv").exists()


# --- the real public files ------------------------------------------------------------------

# realdata README: (count, base) per figure. Kaggle: section 1's sample check table
# (answered / AWS / GCP / Azure); CNCF: section 2's check values; Stack Overflow: section 4
# (595 complete rows, PlatformHaveWorkedWith NA in 190, so 405 answered).
PUBLISHED = {
    ("kaggle-2018", "AWS"): (1246, 3155, 39.5), ("kaggle-2018", "GCP"): (804, 3155, 25.5),
    ("kaggle-2018", "Azure"): (632, 3155, 20.0),
    ("kaggle-2019", "AWS"): (578, 1449, 39.9), ("kaggle-2019", "GCP"): (439, 1449, 30.3),
    ("kaggle-2019", "Azure"): (262, 1449, 18.1),
    ("kaggle-2021", "AWS"): (541, 1378, 39.3), ("kaggle-2021", "GCP"): (470, 1378, 34.1),
    ("kaggle-2021", "Azure"): (342, 1378, 24.8),
    ("kaggle-2022", "AWS"): (369, 841, 43.9), ("kaggle-2022", "GCP"): (315, 841, 37.5),
    ("kaggle-2022", "Azure"): (212, 841, 25.2),
    ("cncf-2018", "AWS"): (1187, None, None), ("cncf-2018", "GCP"): (655, None, None),
    ("cncf-2018", "Azure"): (542, None, None),
    ("cncf-2019", "AWS"): (382, None, None), ("cncf-2019", "Azure"): (213, None, None),
    ("cncf-2019", "GCP"): (371, None, None),
    ("cncf-2020", "AWS"): (356, None, None), ("cncf-2020", "Azure"): (230, None, None),
    ("cncf-2020", "GCP"): (356, None, None),
    ("stackoverflow-2023-platforms", "AWS"): (195, 405, None), ("stackoverflow-2023-platforms", "Azure"): (139, 405, None),
    ("stackoverflow-2023-platforms", "GCP"): (88, 405, None),
    ("stackoverflow-2023-tools", "docker"): (271, None, None), ("stackoverflow-2023-tools", "kubernetes"): (103, None, None),
}

realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"public survey files not found under {REALDATA}")


@pytest.fixture(scope="module")
def figures() -> list[dict]:
    return [row for spec in SPECS for row in compute(spec, REALDATA)]


@pytest.mark.realdata
@realdata
def test_real_files_reproduce_the_published_figures(figures):
    got = {(r["population"], r["provider"] or r["skill_id"]): r for r in figures}
    for key, (count, base, percent) in PUBLISHED.items():
        row = got[key]
        assert row["count"] == count, key
        if base is not None:
            assert row["base"] == base, key
        if percent is not None:
            assert abs(row["share"] * 100 - percent) <= 0.05 + 1e-9, key  # published to 0.1 pp
    kaggle = [r for r in figures if r["source"].startswith("Kaggle")]
    assert all(r["sample"].startswith("4,000 of ") for r in kaggle)


@pytest.mark.realdata
@realdata
def test_shipped_reference_file_is_current(figures):
    with open(ROOT / OUT.relative_to(OUT.parents[2]), encoding="utf-8", newline="") as fh:
        shipped = list(csv.DictReader(fh))
    assert len(shipped) == len(figures)
    for old, new in zip(shipped, figures, strict=True):
        assert {k: str(v) for k, v in new.items()} == old, "rerun python -m benchmarks.reference_figures"
