"""Public reference populations: aggregate shares computed from public survey files into
data/reference/reference_figures.csv, for the dashboards to show beside the organisation.

    python -m benchmarks.reference_figures [--realdata DIR] [--out FILE]

DIR defaults to ../shared/realdata (see its README). Each figure is one answer of one question:
count = respondents who gave it, base = respondents who answered the question (at least one
option of a multi-select), share = count / base. Only aggregates are written, never a row.

Files are matched by glob, so the full Kaggle files (docs/realdata-kaggle.md) can stand in for the
4,000-row samples: the `sample` column then reads "full file". Which question, which columns and
which options each figure uses is the SPECS table below; docs/radar.md lists the caveats.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
REALDATA = PROJECT.parent / "shared" / "realdata"
OUT = PROJECT / "data" / "reference" / "reference_figures.csv"
COLUMNS = ["population", "source", "year", "question", "answer", "provider", "skill_id", "count", "base", "share",
           "sample", "licence", "file"]

KAGGLE = "Kaggle Machine Learning & Data Science Survey"
KAGGLE_LICENCE = "Kaggle's terms for the survey data (not verified here; see docs/realdata-kaggle.md)"
CNCF = "CNCF Cloud Native Survey"
CNCF_LICENCE = "Apache-2.0 (cncf/surveys repository)"
SO = "Stack Overflow Developer Survey"
SO_LICENCE = "ODbL 1.0 (Stack Overflow); derived figures are share-alike, with attribution"
SYSTEMATIC = "a systematic 1-in-~5 sample in file order"
FIRST_ROWS = "the first complete responses of the file (not a random sample)"
CLOUDS = {"AWS": r"Amazon Web Services", "GCP": r"Google Cloud Platform", "Azure": r"Microsoft Azure"}


@dataclass(frozen=True)
class Spec:
    """One question of one file. layout: 'kaggle' (code row, then question text ending '- <option>'),
    'surveymonkey' (question text carried right over an option row) or 'semicolon' (one column,
    options joined by ';', 'NA' for no answer). ``columns``: regex on the code row (kaggle) or the
    question text (surveymonkey), or the column name (semicolon). ``answers``: (answer, provider,
    skill_id, regex on the option label, or the exact item for 'semicolon')."""

    population: str
    source: str
    year: int
    pattern: str
    layout: str
    encoding: str
    columns: str
    question: str
    answers: tuple[tuple[str, str, str, str], ...]
    licence: str
    full_rows: int | None = None  # the full file's data rows, where the file here may be part of it
    sampling: str = ""  # how a partial file was taken


def _clouds(*names: str) -> tuple[tuple[str, str, str, str], ...]:
    return tuple((name, p, "", CLOUDS[p]) for name, p in zip(names, ("AWS", "GCP", "Azure"), strict=True))


KAGGLE_CLOUDS = _clouds("Amazon Web Services (AWS)", "Google Cloud Platform (GCP)", "Microsoft Azure")
SPECS = (
    Spec("kaggle-2018", KAGGLE, 2018, "kaggle-ml-ds-survey/2018/multipleChoiceResponses*.csv", "kaggle", "utf-8-sig",
         r"^Q15_Part_\d+$", "Cloud computing services used at work or school in the last 5 years (Q15)",
         KAGGLE_CLOUDS, KAGGLE_LICENCE, 23859, SYSTEMATIC),
    Spec("kaggle-2019", KAGGLE, 2019, "kaggle-ml-ds-survey/2019/multiple_choice_responses*.csv", "kaggle",
         "utf-8-sig", r"^Q29_Part_\d+$", "Cloud computing platforms used on a regular basis (Q29)",
         KAGGLE_CLOUDS, KAGGLE_LICENCE, 19717, SYSTEMATIC),
    # The free-text Q27_A_OTHER column is left out of the base, as in the realdata README's figures.
    Spec("kaggle-2021", KAGGLE, 2021, "kaggle-ml-ds-survey/2021/kaggle_survey_2021_responses*.csv", "kaggle",
         "utf-8-sig", r"^Q27_A_Part_\d+$", "Cloud computing platforms used on a regular basis (Q27_A)",
         KAGGLE_CLOUDS, KAGGLE_LICENCE, 25973, SYSTEMATIC),
    Spec("kaggle-2022", KAGGLE, 2022, "kaggle-ml-ds-survey/2022/kaggle_survey_2022_responses*.csv", "kaggle",
         "utf-8-sig", r"^Q31_\d+$", "Cloud computing platforms used (Q31)", KAGGLE_CLOUDS, KAGGLE_LICENCE, 23997, SYSTEMATIC),
    Spec("cncf-2018", CNCF, 2018, "cncf-cloud-native-survey/Cloud_Native_Survey_2018.csv", "surveymonkey", "utf-8",
         r"^Your company/organization deploys containers to which",
         "Environments the respondent's organisation deploys containers to",
         _clouds("Amazon Web Services (AWS)", "Google Cloud Platform (GCP)", "Microsoft Azure"), CNCF_LICENCE),
    Spec("cncf-2019", CNCF, 2019, "cncf-cloud-native-survey/Cloud_Native_Survey_2019.csv", "surveymonkey", "utf-8",
         r"^Your company/organization manages containers with",
         "Tools the respondent's organisation manages containers with",
         (("Amazon EKS", "AWS", "aws_eks", r"^Amazon Elastic Container Service for Kubernetes"),
          ("Azure Kubernetes Service", "Azure", "azure_aks", r"^Azure Kubernetes Service"),
          ("Google Kubernetes Engine", "GCP", "gcp_gke", r"^Google Kubernetes Engine")), CNCF_LICENCE),
    Spec("cncf-2020", CNCF, 2020, "cncf-cloud-native-survey/Cloud_Native_Survey_1H_2020.csv", "surveymonkey",
         "mac_roman", r"^Your company/organization uses these Certified Kubernetes Hosted",
         "Certified Kubernetes Hosted platforms the respondent's organisation uses (1H 2020)",
         (("Amazon EKS", "AWS", "aws_eks", r"^Amazon Elastic Container Service for Kubernetes"),
          ("Azure Kubernetes Service", "Azure", "azure_aks", r"^Azure Kubernetes Service"),
          ("Google Kubernetes Engine", "GCP", "gcp_gke", r"^Google Kubernetes Engine")), CNCF_LICENCE),
    Spec("stackoverflow-2023-platforms", SO, 2023, "stackoverflow-developer-survey/2023-*/survey_results_public.csv",
         "semicolon", "utf-8", "PlatformHaveWorkedWith", "Cloud platforms worked with in the past year",
         (("Amazon Web Services (AWS)", "AWS", "", "Amazon Web Services (AWS)"),
          ("Google Cloud", "GCP", "", "Google Cloud"), ("Microsoft Azure", "Azure", "", "Microsoft Azure")),
         SO_LICENCE, 89184, FIRST_ROWS),
    Spec("stackoverflow-2023-tools", SO, 2023, "stackoverflow-developer-survey/2023-*/survey_results_public.csv",
         "semicolon", "utf-8", "ToolsTechHaveWorkedWith", "Tools worked with in the past year",
         (("Docker", "", "docker", "Docker"), ("Kubernetes", "", "kubernetes", "Kubernetes"),
          ("Terraform", "", "terraform", "Terraform")), SO_LICENCE, 89184, FIRST_ROWS),
)


class ReferenceError(Exception):
    """A file is missing or does not hold the question its spec names; one line."""


def compute(spec: Spec, root: Path) -> list[dict]:
    """The spec's figures from the first file its pattern matches under ``root``."""
    path = _find(root, spec.pattern)
    header, rows = _read(path, spec)
    if spec.layout == "semicolon":
        counts, base = _semicolon(header, rows, spec)
    else:
        counts, base = _columns(header, rows, spec)
    sample = "full file" if spec.full_rows is None or len(rows) == spec.full_rows else \
        f"{len(rows):,} of {spec.full_rows:,} responses, {spec.sampling}"
    return [{"population": spec.population, "source": spec.source, "year": spec.year, "question": spec.question,
             "answer": answer, "provider": provider, "skill_id": skill, "count": counts[answer], "base": base,
             "share": round(counts[answer] / base, 6) if base else "", "sample": sample, "licence": spec.licence,
             "file": path.relative_to(root).as_posix()}
            for answer, provider, skill, _ in spec.answers]


def _find(root: Path, pattern: str) -> Path:
    found = sorted(root.glob(pattern))
    if not found:
        raise ReferenceError(f"no file matching {pattern} under {root}")
    return found[0]


def _read(path: Path, spec: Spec) -> tuple[list[list[str]], list[list[str]]]:
    """Header rows and the complete data records (a truncated last record is dropped)."""
    n_header = 1 if spec.layout == "semicolon" else 2
    with path.open(encoding=spec.encoding, newline="") as fh:
        records = list(csv.reader(fh))
    header, rows = records[:n_header], records[n_header:]
    width = len(header[0])
    return header, [r for r in rows if len(r) == width]


def _columns(header: list[list[str]], rows: list[list[str]], spec: Spec) -> tuple[dict[str, int], int]:
    """Multi-select spread over one column per option: the question's columns and their labels."""
    if spec.layout == "kaggle":
        cols = [i for i, code in enumerate(header[0]) if re.match(spec.columns, code)]
        labels = {i: header[1][i].rsplit(" - ", 1)[-1].strip() for i in cols}
    else:
        question, carried = [], ""
        for text in header[0]:
            carried = text.replace("\u00a0", " ").strip() or carried
            question.append(carried)
        cols = [i for i, text in enumerate(question) if re.match(spec.columns, text)]
        labels = {i: header[1][i].strip() for i in cols}
    if not cols:
        raise ReferenceError(f"{spec.population}: no columns match {spec.columns!r}")
    base = sum(1 for r in rows if any(r[i].strip() for i in cols))
    counts = {}
    for answer, _, _, label in spec.answers:
        hits = [i for i in cols if re.search(label, labels[i])]
        if len(hits) != 1:
            raise ReferenceError(f"{spec.population}: {len(hits)} columns match the option {label!r}, expected 1")
        counts[answer] = sum(1 for r in rows if r[hits[0]].strip())
    return counts, base


def _semicolon(header: list[list[str]], rows: list[list[str]], spec: Spec) -> tuple[dict[str, int], int]:
    """One column of ';'-joined options; 'NA' or empty is no answer."""
    if spec.columns not in header[0]:
        raise ReferenceError(f"{spec.population}: no column {spec.columns!r}")
    col = header[0].index(spec.columns)
    answered = [{item.strip() for item in r[col].split(";")} for r in rows if r[col].strip() not in ("", "NA")]
    return {answer: sum(1 for items in answered if item in items) for answer, _, _, item in spec.answers}, len(answered)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reference_figures", description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=REALDATA, help="folder of the public survey files")
    parser.add_argument("--out", type=Path, default=OUT, help="CSV to write")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        figures = [row for spec in SPECS for row in compute(spec, args.realdata)]
    except (ReferenceError, OSError, UnicodeDecodeError) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 3
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(figures)
    print(f"wrote {len(figures)} figures from {len(SPECS)} questions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
