"""The releases the tests run with are pinned (``constraints.txt``, used by the README's test
command), and users get ranges bounded above at the majors those tests ran: a new release of a
dependency can neither turn CI red by itself nor reach a user untested."""

from __future__ import annotations

import importlib.metadata
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import REPO


def _requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    return [
        Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]
    ]


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = Version(version)
    return pins


def test_every_dependency_is_pinned_inside_its_range_and_bounded_above():
    pins = _pins()

    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is out of range"
        assert any(s.operator in ("<", "<=", "==", "~=") for s in requirement.specifier), (
            f"{requirement}: no upper bound, so the next major reaches users untested"
        )


def test_the_tests_run_with_the_pinned_releases():
    pins = _pins()

    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        installed = Version(importlib.metadata.version(name))
        assert installed == pins[name], f"{name} {installed} installed, {pins[name]} pinned"


def test_the_package_metadata_is_complete_for_the_package_index():
    """Publishing is one command when the owners decide: classifiers, links, a changelog."""
    meta = importlib.metadata.metadata("wa-doctor")
    classifiers = meta.get_all("Classifier") or []
    assert "Framework :: Pytest" in classifiers
    oldest = meta["Requires-Python"].removeprefix(">=")
    assert f"Programming Language :: Python :: {oldest}" in classifiers
    links = dict(url.split(", ", 1) for url in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Issues", "Changelog"} <= set(links)
    version = meta["Version"]
    assert f"## {version} " in (REPO / "CHANGELOG.md").read_text("utf-8")
