"""The README stays true: its data dictionary is the generated one, its quick start the real commands.

Regenerate the README's data dictionary with: UPDATE_README=1 pytest tests/test_docs.py
"""
import os
import re
from pathlib import Path

from analytics.schema_browser import dictionary_markdown

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- data-dictionary:start -->", "<!-- data-dictionary:end -->"


def _section(text: str) -> str:
    return text[text.index(START) + len(START):text.index(END)].strip()


def test_readme_data_dictionary_is_current():
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    wanted = dictionary_markdown().strip()
    if os.environ.get("UPDATE_README"):
        text = text[:text.index(START) + len(START)] + "\n" + wanted + "\n" + text[text.index(END):]
        readme.write_text(text, encoding="utf-8")
    assert _section(text) == wanted, "README data dictionary is stale: UPDATE_README=1 pytest tests/test_docs.py"


def test_quick_start_is_two_commands_that_exist():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", text, re.S).group(1).strip().splitlines()
    assert len(block) == 2
    assert "streamlit run app.py" in block[0] and "requirements.txt" in block[0]
    assert block[1].endswith("pytest") and "requirements-dev.txt" in block[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert block[1] in ci  # CI runs exactly the README's test command


def test_every_linked_doc_exists():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\((docs/[^)]+)\)", text):
        assert (ROOT / link).exists(), link
