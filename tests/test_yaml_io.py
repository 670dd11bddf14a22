"""The bounded YAML reader: alias bombs, size caps and broken files are one-line refusals."""
from __future__ import annotations

import pytest

from schemas.yaml_io import YamlError, expanded_size, parse_yaml, read_yaml


def billion_laughs(levels: int) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_refused_without_expanding_it():
    with pytest.raises(YamlError, match=r"^bomb\.yaml: .*alias bomb"):
        parse_yaml(billion_laughs(9), "bomb.yaml")  # 9**9 = 387 M strings if expanded


def test_a_few_aliases_are_fine():
    assert parse_yaml("base: &b {k: 1}\nother: *b\n", "x.yaml") == {"base": {"k": 1}, "other": {"k": 1}}


def test_expanded_size_counts_each_use():
    import yaml

    # mapping(1) + key a(1) + seq(1) + 2 items + key b(1) + alias to the same seq (3 again) = 9
    node = yaml.compose("a: &s [1, 2]\nb: *s\n")
    assert expanded_size(node) == 9


def test_size_cap_and_bad_yaml_name_the_file(tmp_path):
    with pytest.raises(YamlError, match=r"^big\.yaml: 2,001 bytes"):
        parse_yaml("x" * 2001, "big.yaml", max_bytes=2000)
    with pytest.raises(YamlError, match=r"^p\.yaml: not valid YAML \(line \d+\)"):
        parse_yaml("a: [1,\n b", "p.yaml")
    with pytest.raises(YamlError, match=r"^missing\.yaml: cannot be read"):
        read_yaml(tmp_path / "missing.yaml")


def test_byte_order_mark_and_empty(tmp_path):
    f = tmp_path / "bom.yaml"
    f.write_bytes(b"\xef\xbb\xbfk: 1\n")
    assert read_yaml(f) == {"k": 1}
    assert parse_yaml("", "empty.yaml") is None
    with pytest.raises(YamlError, match="not UTF-8"):
        parse_yaml(b"k: \xff\xfe", "latin.yaml")
