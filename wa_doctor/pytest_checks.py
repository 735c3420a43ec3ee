"""A declared check as a pytest test: ``test_<name> = diagnose(area.<name>)`` is its line in
``diagnostics/``. The test runs the check for every credential
(:func:`~wa_doctor.runner.run_declared`), keeps the results on the test for the plugin's
records, and ends as :mod:`.verdict` says."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import pytest

from .credentials import Credential
from .doctor import Doctor
from .registry import Check
from .runner import CheckResult, run_declared
from .verdict import CheckFailure, conclude

FAILURE_KEY = pytest.StashKey[CheckFailure]()
"""A failed test's failure, in the two lengths CI tools show (see :class:`CheckFailure`)."""
CHECK_ATTRIBUTE = "wa_check"
"""The attribute of a diagnostics test holding the check it runs."""
RESULTS_KEY = pytest.StashKey[list[tuple[Credential | None, CheckResult]]]()
"""A test's check results, by credential (None: a check of no credential)."""


def diagnose(declared: Check) -> Callable[[pytest.FixtureRequest, Doctor], None]:
    """The pytest test of a declared check: ``test_<name> = diagnose(area.<name>)`` is its line in
    ``diagnostics/``. One test per check, not per check and credential: pytest's own cost per
    test (its hooks, reports, the HTML row) was most of a large run's CPU and memory; each
    credential's result is still its own record in every report.

    A check of credentials runs for every selected one: the test fails when the check fails for
    any, naming each, and is skipped only when it was for all of them."""

    def test(request: pytest.FixtureRequest, doctor: Doctor) -> None:
        if declared.per_credential and not doctor.credentials:
            pytest.skip(doctor.catalog.label("skip_no_credentials", doctor.lang))
        results = request.node.stash[RESULTS_KEY] = run_declared(doctor, declared)
        verdict = conclude(doctor, results)
        if verdict.failure is not None:
            request.node.stash[FAILURE_KEY] = verdict.failure
            pytest.fail(verdict.failure.text, pytrace=False)
        if verdict.skip_reason is not None:
            pytest.skip(verdict.skip_reason)

    test.__doc__ = declared.function.__doc__
    setattr(test, CHECK_ATTRIBUTE, declared)
    return test


def diagnosed() -> list[tuple[str, Check]]:
    """Every test of the shipped ``diagnostics/`` and the check it runs, in run order."""
    from . import diagnostics

    found = []
    for module in sorted(pkgutil.iter_modules(diagnostics.__path__), key=lambda m: m.name):
        tests = vars(importlib.import_module(f"{diagnostics.__name__}.{module.name}"))
        for name, test in tests.items():
            declared = getattr(test, CHECK_ATTRIBUTE, None)
            if declared is not None:
                found.append((name, declared))
    return found


def declared_check(item: pytest.Item) -> Check | None:
    """The check a test in ``diagnostics/`` runs (None for any other test)."""
    return getattr(getattr(item, "obj", None), CHECK_ATTRIBUTE, None)


def check_id(item: pytest.Item) -> str:
    """A check's stable id: its declared name (a test that is no declared check: its name
    without ``test_``)."""
    declared = declared_check(item)
    if declared is not None:
        return declared.name
    return getattr(item, "originalname", item.name).removeprefix("test_")
