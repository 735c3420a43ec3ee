"""A finding: a plain value with a stable id, like Django's ``CheckMessage``.

Checks return a list of findings (empty means healthy). A finding carries only its catalog id
and language-neutral parameters (ids, dates, counts, Meta's own text); titles, messages and
remedies come from the catalog in the language of the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How a finding affects the run: an error fails its check, a warning passes but is listed,
    info passes and only reports a fact (a sent message's id)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Outcome(StrEnum):
    """The four outcomes of a check, as written in the JSON report."""

    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"
    SKIPPED = "skipped"


class Count(int):
    """A number of things (users, recipients) in a finding's parameters: written with the
    thousands separator of the run's language when rendered ("2.000" in Spanish, "2,000" in
    English), where an id that happens to be an int stays as it is."""


@dataclass(frozen=True)
class Finding:
    """Something a check found; ``params`` fill the placeholders of the catalog's texts."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)


def finding(finding_id: str, **params: Any) -> Finding:
    """Shorthand used by the checks: ``finding("token.expired", expired_at=...)``."""
    return Finding(finding_id, params)


def findings_if(condition: bool, finding_id: str, **params: Any) -> list[Finding]:
    """``[finding]`` when ``condition`` holds, else ``[]``: the shape most checks return."""
    return [Finding(finding_id, params)] if condition else []


def worst(severities: Iterable[Severity]) -> Severity | None:
    """The most serious severity, or None for no findings."""
    found = set(severities)
    return next((s for s in Severity if s in found), None)
