"""The one way this product reads a YAML file: bounded in size and in expansion, errors that name the file.

A profile or settings file is small and hand-written. Anchors and aliases are allowed, but an
"alias bomb" (a 700-byte file whose aliases expand to billions of nodes) is refused after it is
composed and before anything is built from it or walks it: the node graph's expanded size is
counted with each shared node counted once per use, in time linear in the file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_YAML_BYTES = 1_000_000
MAX_EXPANDED_NODES = 200_000

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(ValueError):
    """A YAML file that can't be read; the message is one line naming the file."""


def expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded (shared nodes memoised)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        kids: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            kids = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            kids = [part for pair in node.value for part in pair]
        if children_done or not kids:
            sizes[id(node)] = 1 + sum(sizes[id(k)] for k in kids)
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in sizes)
    return sizes[id(root)]


def parse_yaml(text: str | bytes, source: str, *, max_bytes: int = MAX_YAML_BYTES,
               max_nodes: int = MAX_EXPANDED_NODES) -> Any:
    """The document in ``text``; ``source`` (a file name) heads every error message."""
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > max_bytes:
        raise YamlError(f"{source}: {size:,} bytes, more than the {max_bytes:,} a settings file may have")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise YamlError(f"{source}: not UTF-8 text (byte {exc.start})") from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if expanded_size(node) > max_nodes:
            raise YamlError(f"{source}: its aliases expand to more than {max_nodes:,} values; refused as an "
                            "alias bomb")
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise YamlError(f"{source}: not valid YAML{where}: {first}") from exc
    finally:
        loader.dispose()


def read_yaml(path: str | Path, **limits: int) -> Any:
    """Read and parse a YAML file under the limits; a missing or unreadable file is a YamlError."""
    path = Path(path)
    cap = limits.get("max_bytes", MAX_YAML_BYTES)
    try:
        with path.open("rb") as fh:
            data = fh.read(cap + 1)
    except OSError as exc:
        raise YamlError(f"{path.name}: cannot be read ({exc.strerror or type(exc).__name__})") from exc
    return parse_yaml(data, path.name, **limits)
