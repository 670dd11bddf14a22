"""Example queries for the SQL console, kept as data in data/example_queries.yaml."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from pipelines.config import DATA_DIR

EXAMPLES_FILE = DATA_DIR / "example_queries.yaml"


@dataclass(frozen=True)
class ExampleQuery:
    name: str
    description: str
    sql: str
    rows: str = "respondent"  # the console tier it needs (analytics.console_tiers): respondent or aggregate


@lru_cache(maxsize=4)
def load(path: Path = EXAMPLES_FILE) -> tuple[ExampleQuery, ...]:
    """The examples in file order; a malformed entry is a ValueError naming it."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    examples = []
    for i, entry in enumerate(data.get("queries") or []):
        if not isinstance(entry, dict) or not entry.get("name") or not str(entry.get("sql") or "").strip():
            raise ValueError(f"{Path(path).name}: query #{i + 1} needs a name and sql")
        examples.append(ExampleQuery(
            name=str(entry["name"]),
            description=" ".join(str(entry.get("description") or "").split()),
            sql=str(entry["sql"]).strip() + "\n",
            rows=str(entry.get("rows") or "respondent"),
        ))
    names = [e.name for e in examples]
    if len(set(names)) != len(names):
        raise ValueError(f"{Path(path).name}: example names must be unique")
    return tuple(examples)


def by_name(name: str) -> ExampleQuery:
    for example in load():
        if example.name == name:
            return example
    raise KeyError(name)
