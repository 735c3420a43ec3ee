"""The catalog's parse is kept in the user's cache for the next run, and never read stale."""

from __future__ import annotations

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
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def refuse_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, a parse by tomllib fails the test."""

    def refuse(text: str) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(tomllib, "loads", refuse)


def kept(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.json"))


def parsed(files: list[Path]) -> list[dict]:
    return [tomllib.loads(f.read_text("utf-8")) for f in files]


def test_a_kept_parse_is_read_back_equal_with_every_toml_kind(
    files: list[Path], cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = parsed(files)
    assert parse_all(files, cache, "data") == expected
    assert len(kept(cache)) == 1

    refuse_parsing(monkeypatch)
    again = parse_all(files, cache, "data")
    assert again == expected
    assert again[0]["moment"].utcoffset() is not None  # a date and time keeps its offset


def test_an_edited_file_is_parsed_again_and_the_older_parse_removed(
    files: list[Path], cache: Path
) -> None:
    parse_all(files, cache, "data")
    first = kept(cache)
    files[1].write_text('[findings.x]\nseverity = "warning"\n', encoding="utf-8")

    assert parse_all(files, cache, "data")[1] == {"findings": {"x": {"severity": "warning"}}}
    assert len(kept(cache)) == 1
    assert kept(cache) != first


def test_another_release_keeping_them_otherwise_keeps_them_apart(
    files: list[Path], cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse_all(files, cache, "data")
    monkeypatch.setattr(toml_cache, "FORMAT", b"wa-doctor toml_cache 2\0")

    parse_all(files, cache, "data")

    assert len(kept(cache)) == 1, "the other format's parse is replaced, not read"


@pytest.mark.parametrize(
    "damage",
    ["", "{not json", "[]", '[{"a": 1}]', '[{"x": {"\\u0000toml": "date", "value": "no"}}, {}]'],
    ids=["empty", "not-json", "no-files", "one-file-of-two", "bad-date"],
)
def test_a_kept_parse_that_cannot_be_used_is_parsed_again(
    files: list[Path], cache: Path, damage: str
) -> None:
    parse_all(files, cache, "data")
    kept(cache)[0].write_text(damage, encoding="utf-8")

    assert parse_all(files, cache, "data") == parsed(files)


def test_without_a_folder_nothing_is_kept(files: list[Path]) -> None:
    assert parse_all(files, None, "data") == parsed(files)


def test_a_folder_that_cannot_be_written_only_costs_the_parse(
    files: list[Path], cache: Path
) -> None:
    cache.write_text("a file where the folder would be")

    assert parse_all(files, cache, "data") == parsed(files)


def test_the_catalog_is_kept_in_the_users_cache_and_read_back_as_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    catalog.load.cache_clear()
    fresh = catalog.load()  # nothing kept yet: parsed
    assert [p.name[:8] for p in (tmp_path / "wa-doctor").iterdir()] == ["catalog-"]
    catalog.load.cache_clear()
    refuse_parsing(monkeypatch)
    try:
        again = catalog.load()
    finally:
        catalog.load.cache_clear()
    assert vars(again) == vars(fresh)
    assert again.api_version("v18.0").available_until.isoformat() == "2026-01-26"
