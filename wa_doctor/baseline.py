"""The previous run, to say what changed: new problems, fixed ones, and those still open since
when.

A health check that runs every day is read for its changes: a check that is red every morning
stops being read, and a new problem must not hide among old ones. The baseline is the previous
``report.json`` (the one in the report folder, read before this run replaces it, or
``--wa-baseline PATH``, for CI jobs that download the last artifact). A problem is a finding of
severity error or warning for a credential, accepted or not (an accepted problem that comes
back is not new). A credential is known across runs by where it comes from and its Phone Number
ID, never by a row number that moves.

Everything read from the baseline is foreign text: the file is read up to a size, its shape is
checked value by value, and what it says is used only to compare ids and dates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .credentials import Credential

MAX_BASELINE_BYTES = 64 << 20
"""A report.json of 10,000 credentials is some tens of MiB; anything larger is not one."""
PROBLEM_SEVERITIES = ("error", "warning")
RUN = "run"
"""The key of the checks of no credential (the database, the settings, the API version)."""

Problem = tuple[str, str]
"""(credential key, finding id): one problem, whatever check reported it."""


def credential_key(from_database: bool, phone_number_id: str | None, label: str) -> str:
    """A credential's key across runs: its kind and its Phone Number ID (its label when it has
    none), not its row id, which moves when rows are added."""
    return f"{'db' if from_database else 'env'}:{phone_number_id or label}"


def key_of(credential: Credential | None) -> str:
    if credential is None:
        return RUN
    return credential_key(credential.from_database, credential.phone_number_id, credential.label)


class BaselineError(ValueError):
    """The baseline cannot be used; ``reason`` is the catalog term saying why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Baseline:
    """The problems of a previous run, each with the date it was first seen."""

    generated_at: str
    simulated: str | None
    first_seen: Mapping[Problem, str] = field(default_factory=dict)
    facts: Mapping[str, Mapping[str, str | int]] = field(default_factory=dict)
    """What it kept of each credential, by key: quality, messaging limit, token expiry."""

    @property
    def problems(self) -> frozenset[Problem]:
        return frozenset(self.first_seen)

    @classmethod
    def read(cls, path: Path) -> Baseline | None:
        """The baseline at ``path``; None when there is none; :class:`BaselineError` saying
        why when the file is there but is no report.json of this tool."""
        try:
            with path.open("rb") as file:
                data = file.read(MAX_BASELINE_BYTES + 1)
        except FileNotFoundError:
            return None
        except OSError:
            raise BaselineError("baseline_unreadable") from None
        if len(data) > MAX_BASELINE_BYTES:
            raise BaselineError("baseline_too_large")
        try:
            report = json.loads(data)
        except (ValueError, RecursionError):
            raise BaselineError("baseline_not_json") from None
        return cls.of_report(report)

    @classmethod
    def of_report(cls, report: Any) -> Baseline:
        """The problems a parsed report.json holds (see :meth:`read`)."""
        if not isinstance(report, dict) or not isinstance(report.get("checks"), list):
            raise BaselineError("baseline_not_a_report")
        generated_at = _text(report.get("generated_at"))
        if not _is_date(generated_at):
            raise BaselineError("baseline_not_a_report")
        keys: dict[str, str] = {}
        facts: dict[str, dict[str, str | int]] = {}
        for entry in report.get("credentials") or []:
            if not isinstance(entry, dict):
                continue
            label = _text(entry.get("label"))
            phone = _text(entry.get("phone_number_id")) or None
            keys[label] = key = credential_key(entry.get("row_id") is not None, phone, label)
            kept = entry.get("facts")
            if isinstance(kept, dict):
                facts[key] = {
                    name: value
                    for name, value in kept.items()
                    if isinstance(name, str)
                    and isinstance(value, (str, int))
                    and not isinstance(value, bool)
                }
        first_seen: dict[Problem, str] = {}
        for check in report["checks"]:
            if not isinstance(check, dict):
                continue
            label = check.get("credential")
            key = RUN if label is None else keys.get(_text(label), _text(label))
            for found in check.get("findings") or []:
                if isinstance(found, dict) and found.get("severity") in PROBLEM_SEVERITIES:
                    seen = _text(found.get("first_seen"))
                    problem = (key, _text(found.get("id")))
                    first_seen[problem] = seen if _is_date(seen) else generated_at
        simulated = report.get("simulated")
        simulated = simulated if isinstance(simulated, str) else None
        return cls(generated_at, simulated, first_seen, facts)


@dataclass(frozen=True)
class Changes:
    """What changed since the baseline: problems new, fixed and still open."""

    since: str
    new: tuple[Problem, ...]
    fixed: tuple[Problem, ...]
    still: tuple[Problem, ...]

    def to_json(self, first_seen: Mapping[Problem, str]) -> dict[str, Any]:
        def listed(problems: Iterable[Problem]) -> list[dict[str, str]]:
            return [{"credential": key, "finding": finding} for key, finding in problems]

        return {
            "since": self.since,
            "new": listed(self.new),
            "fixed": listed(self.fixed),
            "still": [
                {"credential": k, "finding": f, "first_seen": first_seen.get((k, f), self.since)}
                for k, f in self.still
            ],
        }


def compare(baseline: Baseline, current: Iterable[Problem]) -> Changes:
    """The problems of this run against the baseline's, each list in a stable order."""
    now = set(current)
    return Changes(
        since=baseline.generated_at,
        new=tuple(sorted(now - baseline.problems)),
        fixed=tuple(sorted(baseline.problems - now)),
        still=tuple(sorted(now & baseline.problems)),
    )


def shown_date(timestamp: str) -> str:
    """An ISO timestamp as the reports show dates: ``2026-12-01 08:00 UTC``."""
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return timestamp
    zone = moment.strftime(" %Z") if moment.tzinfo else ""
    return moment.strftime("%Y-%m-%d %H:%M") + zone


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _is_date(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
