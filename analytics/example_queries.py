"""Example queries for the SQL console, kept as data in data/example_queries.yaml."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from schemas import config, settings
from schemas.config import ExampleQuery

EXAMPLES_FILE = settings.EXAMPLE_QUERIES


@lru_cache(maxsize=4)
def load(path: Path = EXAMPLES_FILE) -> tuple[ExampleQuery, ...]:
    """The examples in file order; a malformed entry is a ConfigError naming it."""
    return tuple(config.load(config.ExampleQueries, path).queries)


def by_name(name: str) -> ExampleQuery:
    for example in load():
        if example.name == name:
            return example
    raise KeyError(name)
