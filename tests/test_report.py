"""The wave report: its headline matches counts made independently from the files loaded (csv
module, by hand), it hides what the dashboards hide, and it comes out as HTML and PDF, en and ja."""
from __future__ import annotations

import csv
import re
import statistics

import pytest
from pipeline_fixtures import write_csv

from analytics.report import main, report_html, report_pdf
from analytics.settings import Settings

LEVELS = ["None", "Aware", "Basic", "Proficient", "Expert"]
SKILLS = ["Docker", "Kubernetes", "Terraform", "Istio"]
AREA = {"Docker": "containers", "Kubernetes": "containers", "Terraform": "iac", "Istio": "containers"}  # taxonomy areas


def people(n: int, shift: int) -> list[list[str]]:
    """n rows; levels cycle so each file has a mix (an empty cell: not answered); Istio hangs on p00."""
    rows = [["Email Address", "Team", *SKILLS, "Preferred cloud"]]
    for i in range(n):
        levels = [(i + shift) % 5, (2 * i + shift) % 5, (i * i + shift) % 6, 4 if i == 0 else 2]
        cells = [LEVELS[v] if v < 5 else "" for v in levels]
        rows.append([f"p{i:02d}@example.com", "AB"[i % 2], *cells, ["AWS", "GCP", "Azure"][i % 3]])
    return rows


def expected(path) -> dict:
    """Headline figures counted straight from the CSV."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    best: dict[str, list[int]] = {"containers": [], "iac": []}
    for row in rows:
        for area in best:
            answered = [LEVELS.index(row[s]) for s in SKILLS if AREA[s] == area and row[s]]
            if answered:
                best[area].append(max(answered))
    coverage = {area: sum(v >= 3 for v in levels) / len(levels) for area, levels in best.items()}
    bench = {s: sum(1 for row in rows if row[s] and LEVELS.index(row[s]) >= 3) for s in SKILLS}
    preferred = [row["Preferred cloud"] for row in rows]
    return {"respondents": len(rows), "coverage": coverage, "index": statistics.mean(coverage.values()),
            "single_points": sum(1 for n in bench.values() if n <= 1),
            "aws": preferred.count("AWS") / len(preferred)}


def value(html: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]*)<', html).group(1)


@pytest.fixture
def two_waves(env):
    first, second = write_csv(env.tmp / "h1.csv", people(10, 0)), write_csv(env.tmp / "h2.csv", people(12, 1))
    assert env.ingest(first, wave="2025-H1").status == "loaded"
    assert env.ingest(second, wave="2025-H2").status == "loaded"
    return env, first, second


def test_headline_matches_the_files(two_waves):
    env, first, second = two_waves
    want, before = expected(second), expected(first)
    settings = Settings(headcount=(("2025-H2", "", 16),))
    html = report_html(env.db, "2025-H2", settings)
    assert value(html, "respondents") == str(want["respondents"]) == "12"
    assert value(html, "response-rate") == f"{want['respondents'] / 16:.0%}"
    assert value(html, "coverage-index") == f"{want['index']:.0%}"
    assert f"{(want['index'] - before['index']) * 100:+.1f} pp since 2025-H1" in html
    assert value(html, "single-points") == str(want["single_points"])
    assert re.search(rf"<td>AWS</td><td class=\"n\">{want['aws']:.0%}</td>", html)
    assert "<svg" in html and "Tech radar 2025-H2" in html
    assert "example.com" not in html  # no one's address in a report to send


def test_the_first_wave_and_japanese(two_waves):
    env, first, _ = two_waves
    want = expected(first)
    html = report_html(env.db, "2025-H1", Settings(), lang="ja")
    assert value(html, "respondents") == str(want["respondents"])
    assert value(html, "coverage-index") == f"{want['index']:.0%}"
    assert value(html, "response-rate") == "–"  # no headcount for the wave
    assert "回答者数" in html and "技術レーダー" in html and 'lang="ja"' in html


def test_a_wave_under_k_shows_nothing_about_anyone(env):
    assert env.ingest(write_csv(env.tmp / "tiny.csv", people(3, 0)), wave="2025-H1").status == "loaded"
    html = report_html(env.db, "2025-H1", Settings())
    assert value(html, "respondents") == "hidden"
    assert value(html, "coverage-index") == "–"
    assert "<svg" not in html and "Docker" not in html


def test_pdf_is_one_page(two_waves):
    env, _, _ = two_waves
    import weasyprint

    html = report_html(env.db, "2025-H2", Settings(), lang="ja")
    assert report_pdf(html).startswith(b"%PDF-")
    assert len(weasyprint.HTML(string=html).render().pages) == 1


def test_command_line(two_waves, capsys):
    env, _, second = two_waves
    out = env.tmp / "report.html"
    assert main(["--db", env.db, "--wave", "2025-H2", "--format", "html", "--out", str(out)]) == 0
    assert value(out.read_text(encoding="utf-8"), "respondents") == str(expected(second)["respondents"])
    assert main(["--db", env.db, "--wave", "2030-H1", "--format", "pdf", "--out", str(env.tmp / "x.pdf")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no wave labelled '2030-H1'" in err and "2025-H1, 2025-H2" in err
    assert not (env.tmp / "x.pdf").exists()
    assert main(["--db", str(env.tmp / "none.duckdb"), "--wave", "2025-H2", "--format", "html",
                 "--out", str(out)]) == 3
    assert main(["--wave", "2025-H2", "--format", "doc", "--out", str(out)]) == 2
