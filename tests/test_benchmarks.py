"""benchmarks.ingest_benchmark: the contenders that use pandera run as installed from requirements.txt.

pandera imports hypothesis (a test tool, in requirements-dev.txt only) when it is installed, so the
benchmark hides the dev-only packages from those contenders. These tests check the hiding is real
(an import of a hidden package fails, the product's own imports work) and that a tiny run of the
whole benchmark prints every contender.
"""
from __future__ import annotations

import subprocess
import sys

from benchmarks.ingest_benchmark import as_installed, dev_only_packages, main


def test_dev_only_packages_are_the_ones_requirements_dev_adds():
    found = dev_only_packages()
    assert {"hypothesis", "pytest"} <= set(found)
    assert not {"pandera", "pandas", "duckdb", "streamlit"} & set(found)


def test_hidden_packages_cannot_be_imported_but_the_product_can():
    hidden = subprocess.run(as_installed(sys.executable, "-c", "import hypothesis"), capture_output=True, text=True)
    assert hidden.returncode != 0 and "ModuleNotFoundError" in hidden.stderr  # an ImportError
    shown = subprocess.run(as_installed(sys.executable, "-c", "import pandera.pandas, duckdb"),
                           capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    in_dev = subprocess.run([sys.executable, "-c", "import hypothesis"], capture_output=True, text=True)
    assert in_dev.returncode == 0  # the dev environment does have it: the hiding is what made it fail


def test_a_tiny_benchmark_prints_every_contender(capsys):
    assert main(["--respondents", "300", "--skills", "4", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for label in ("duckdb read_csv+UNPIVOT", "pandas+pandera pipeline", "pipelines.ingest (ours)", "ours in the dev venv",
                  "hypothesis", "targets:"):
        assert label in out


def test_one_command_runs_both_parts_in_order(monkeypatch, capsys):
    import benchmarks.__main__ as everything

    ran = []
    monkeypatch.setattr(everything.ingest_benchmark, "main", lambda argv: ran.append(("ingest", argv)) or 0)
    monkeypatch.setattr(everything.pages_benchmark, "main", lambda argv: ran.append(("pages", argv)) or 1)
    assert everything.main([]) == 1  # a part's failure is the command's
    assert ran == [("ingest", []), ("pages", [])]
    assert everything.main(["--repeat", "9"]) == 2 and "usage" in capsys.readouterr().err
