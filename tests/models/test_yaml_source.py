"""YAML files are bounded before anything walks them: size, anchors and aliases, duplicate keys."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from agencies.registry_file import read_registry
from models.errors import ImportFileError
from models.questionnaire.tool import read_tool
from models.settings import get_settings
from models.yaml_source import load_yaml
from tests.builders import registry_data, write_yaml
from tests.cli import Run


def laughs(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    return "\n".join(lines) + "\n"


def problems(path: Path) -> list[str]:
    with pytest.raises(ImportFileError) as caught:
        load_yaml(path)
    return [str(problem) for problem in caught.value.problems]


def test_a_billion_laughs_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs(9))
    assert len(path.read_bytes()) < 600
    started = time.perf_counter()
    found = problems(path)
    assert time.perf_counter() - started < 1
    assert found == [
        "file: anchors and aliases (& and *) make this file more than 100,000 values: "
        "write the values out"
    ]


def test_a_few_aliases_are_read_as_their_values(tmp_path: Path) -> None:
    path = tmp_path / "alias.yaml"
    path.write_text("base: &base {name: Police}\ncopy: *base\n")
    assert load_yaml(path).data == {"base": {"name": "Police"}, "copy": {"name": "Police"}}
    path.write_text(laughs(5))  # 59,049 values: within the cap
    assert len(load_yaml(path).data) == 5


def test_an_alias_inside_its_own_anchor_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("name: Police\nloop: &a\n  - *a\n")
    assert problems(path) == [
        "line 2: an alias (*) inside the anchor (&) it refers to makes an endless file: "
        "write it out"
    ]


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text("agencies:\n  - code: police\n    name: Police\n    name: Constabulary\n")
    assert problems(path) == [
        "line 4, agencies[0].name: this key is already given on line 3: keep one of them"
    ]


def test_a_registry_with_a_duplicate_key_is_refused_not_silently_the_last_value(
    tmp_path: Path,
) -> None:
    path = write_yaml(tmp_path / "agencies.yaml", registry_data(codes=("police",)))
    text = path.read_text().replace("  name: Police agency\n", "  name: Police agency\n  name: X\n")
    assert "name: X" in text
    path.write_text(text)
    with pytest.raises(ImportFileError) as caught:
        read_registry(path)
    assert "already given on line" in str(caught.value)


def test_a_yaml_file_over_the_size_limit_is_refused_with_the_setting_to_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOINTAUDIT_MAX_YAML_BYTES", "2048")
    get_settings.cache_clear()
    path = tmp_path / "big.yaml"
    path.write_text("notes: |\n" + "  padding line of text\n" * 200)
    assert problems(path) == [
        f"file: is {path.stat().st_size:,} bytes, more than the 2,048 allowed: split it, or "
        "raise JOINTAUDIT_MAX_YAML_BYTES"
    ]
    with pytest.raises(ImportFileError, match="more than the 2,048 allowed"):
        read_tool(path, text=path.read_text())


def test_agencies_load_refuses_a_billion_laughs_and_changes_nothing(
    run: Run, tmp_path: Path
) -> None:
    assert run("init")[0] == 0
    path = tmp_path / "agencies.yaml"
    path.write_text(laughs(9))
    code, out, err = run("agencies", "load", str(path))
    assert code != 0 and "anchors and aliases" in " ".join((out + err).split())
    assert "police" not in run("agencies", "list")[1]


@pytest.mark.parametrize(
    "command", [("tools", "validate"), ("tools", "import"), ("programme", "load")]
)
def test_the_tool_and_programme_commands_refuse_a_billion_laughs_and_change_nothing(
    run: Run, tmp_path: Path, command: tuple[str, str]
) -> None:
    assert run("init")[0] == 0
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs(9))
    tools = tmp_path / "tools"
    tools.mkdir()
    before = (run("tools", "list")[1], run("programme", "show")[1])
    options = ("--tools-dir", str(tools)) if command == ("tools", "import") else ()
    started = time.perf_counter()
    code, out, err = run(*command, str(path), *options)
    assert time.perf_counter() - started < 5
    assert code != 0 and "anchors and aliases" in " ".join((out + err).split())
    assert "lol" not in out + err
    assert (run("tools", "list")[1], run("programme", "show")[1]) == before
    assert list(tools.iterdir()) == []
