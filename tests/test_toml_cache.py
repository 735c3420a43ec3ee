"""The catalog's parse is kept beside it, like bytecode, and never read stale."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from wa_doctor import catalog, toml_cache
from wa_doctor.toml_cache import parse_all

EVERY_KIND = """
text = "Meta's \\"quoted\\" text, ñ, \\u00e9"
number = 7
ratio = 0.1
huge = inf
flag = true
day = 2026-01-26
moment = 2026-12-07T23:59:59+01:00
local = 2026-12-07T08:00:00
hour = 07:30:00
list = [1, "two", 2026-05-21]
[[rows]]
name = "a"
[table.nested]
"v18.0" = { released = 2023-09-12, available_until = 2026-01-26 }
"""


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    (tmp_path / "a.toml").write_text(EVERY_KIND, encoding="utf-8")
    (tmp_path / "b.toml").write_text('[findings.x]\nseverity = "error"\n', encoding="utf-8")
    return [tmp_path / "a.toml", tmp_path / "b.toml"]


@pytest.fixture
def writes_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def refuse_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, a parse by tomllib fails the test."""

    def refuse(text: str) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(tomllib, "loads", refuse)


def kept(folder: Path) -> list[Path]:
    return sorted((folder / toml_cache.CACHE_FOLDER).glob("*.json"))


def parsed(files: list[Path]) -> list[dict]:
    return [tomllib.loads(f.read_text("utf-8")) for f in files]


@pytest.mark.usefixtures("writes_bytecode")
def test_a_kept_parse_is_read_back_equal_with_every_toml_kind(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = parsed(files)
    assert parse_all(files, tmp_path, "data") == expected
    assert len(kept(tmp_path)) == 1

    refuse_parsing(monkeypatch)
    again = parse_all(files, tmp_path, "data")
    assert again == expected
    assert again[0]["moment"].utcoffset() is not None  # a date and time keeps its offset


@pytest.mark.usefixtures("writes_bytecode")
def test_an_edited_file_is_parsed_again_and_the_older_parse_removed(
    files: list[Path], tmp_path: Path
) -> None:
    parse_all(files, tmp_path, "data")
    first = kept(tmp_path)
    files[1].write_text('[findings.x]\nseverity = "warning"\n', encoding="utf-8")

    assert parse_all(files, tmp_path, "data")[1] == {"findings": {"x": {"severity": "warning"}}}
    assert len(kept(tmp_path)) == 1
    assert kept(tmp_path) != first


@pytest.mark.parametrize(
    "damage",
    ["", "{not json", "[]", '[{"a": 1}]', '[{"x": {"\\u0000toml": "date", "value": "no"}}, {}]'],
    ids=["empty", "not-json", "no-files", "one-file-of-two", "bad-date"],
)
@pytest.mark.usefixtures("writes_bytecode")
def test_a_kept_parse_that_cannot_be_used_is_parsed_again(
    files: list[Path], tmp_path: Path, damage: str
) -> None:
    parse_all(files, tmp_path, "data")
    kept(tmp_path)[0].write_text(damage, encoding="utf-8")

    assert parse_all(files, tmp_path, "data") == parsed(files)


def test_nothing_is_kept_when_python_keeps_no_bytecode(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)

    assert parse_all(files, tmp_path, "data") == parsed(files)
    assert not (tmp_path / toml_cache.CACHE_FOLDER).exists()


@pytest.mark.usefixtures("writes_bytecode")
def test_a_folder_that_cannot_be_written_only_costs_the_parse(
    files: list[Path], tmp_path: Path
) -> None:
    (tmp_path / toml_cache.CACHE_FOLDER).write_text("a file where the folder would be")

    assert parse_all(files, tmp_path, "data") == parsed(files)


@pytest.mark.usefixtures("writes_bytecode")
def test_the_catalog_read_back_is_the_catalog_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog.load.cache_clear()
    fresh = catalog.load()  # parsed, or read back: either way kept for the next load
    catalog.load.cache_clear()
    refuse_parsing(monkeypatch)
    try:
        again = catalog.load()
    finally:
        catalog.load.cache_clear()
    assert vars(again) == vars(fresh)
    assert again.api_version("v18.0").available_until.isoformat() == "2026-01-26"
