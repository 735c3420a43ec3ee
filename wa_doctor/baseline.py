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
import re
from collections.abc import Callable, Iterable, Mapping
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


ID = re.compile(r"[a-z]{1,20}\.[a-z0-9_]{1,60}")
"""A finding id as the catalog writes them: anything else in a baseline is not one of ours."""
LABEL = re.compile(r"[A-Za-z0-9_.-]{1,80}")
KEY = re.compile(r"run|(?:db|env):[A-Za-z0-9_.-]{1,80}(?:#[A-Za-z0-9_.-]{1,80})?")
"""A credential's key as :func:`credential_keys` writes it (or the run's own)."""
"""A credential label or Phone Number ID as this tool writes them (see ``credentials``)."""
MAX_FACT = 64
"""Meta's enum values (GREEN, TIER_2K) and an expiry time are short; longer is not a fact."""


def credential_keys(credentials: Iterable[tuple[bool, str | None, str]]) -> list[str]:
    """Each credential's key across runs, from (from the database, Phone Number ID, label):
    its kind and Phone Number ID (its label when it has none), not its row id, which moves
    when rows are added; two rows of one number (a finding of their own) keep their labels."""
    keys: list[str] = []
    for from_database, phone, label in credentials:
        key = f"{'db' if from_database else 'env'}:{phone or label}"
        keys.append(f"{key}#{label}" if key in keys else key)
    return keys


def keys_of(credentials: Iterable[Credential]) -> dict[str, str]:
    """This run's credentials' keys, by label."""
    listed = list(credentials)
    found = credential_keys((c.from_database, c.phone_number_id, c.label) for c in listed)
    return dict(zip((c.label for c in listed), found, strict=True))


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
        if not path.exists():
            return None
        if not path.is_file():  # a folder, or a FIFO that would block the run
            raise BaselineError("baseline_unreadable")
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
        """The problems a parsed report.json holds (see :meth:`read`). Only what has the shape
        this tool writes is kept (finding ids, labels, short facts): the rest of a foreign
        file is never shown anywhere, whatever it holds."""
        if not isinstance(report, dict) or not isinstance(report.get("checks"), list):
            raise BaselineError("baseline_not_a_report")
        generated_at = _text(report.get("generated_at"))
        if len(generated_at) > MAX_FACT or not _is_date(generated_at):
            raise BaselineError("baseline_not_a_report")
        entries = [
            e for e in _list(report.get("credentials")) if LABEL.fullmatch(_text(e.get("label")))
        ]
        found_keys = credential_keys(
            (
                e.get("row_id") is not None,
                phone if LABEL.fullmatch(phone := _text(e.get("phone_number_id"))) else None,
                _text(e.get("label")),
            )
            for e in entries
        )
        keys = dict(zip((_text(e.get("label")) for e in entries), found_keys, strict=True))
        facts = {
            key: {
                name: value
                for name, value in e["facts"].items()
                if isinstance(name, str) and fact(value) is not None
            }
            for key, e in zip(found_keys, entries, strict=True)
            if isinstance(e.get("facts"), dict)
        }
        first_seen: dict[Problem, str] = {}
        for check in _list(report["checks"]):
            label = check.get("credential")
            key = RUN if label is None else keys.get(_text(label))
            if key is None:
                continue
            for found in _list(check.get("findings")):
                finding = _text(found.get("id"))
                if found.get("severity") in PROBLEM_SEVERITIES and ID.fullmatch(finding):
                    seen = _text(found.get("first_seen"))
                    ok = len(seen) <= MAX_FACT and _is_date(seen)
                    first_seen[(key, finding)] = seen if ok else generated_at
        changes = report.get("changes")
        for found in _list(changes.get("carried") if isinstance(changes, dict) else None):
            key, finding = _text(found.get("credential")), _text(found.get("finding"))
            seen = _text(found.get("first_seen"))
            if (
                KEY.fullmatch(key)
                and ID.fullmatch(finding)
                and len(seen) <= MAX_FACT
                and _is_date(seen)
            ):
                first_seen.setdefault((key, finding), seen)
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
    carried: tuple[Problem, ...] = ()
    """Problems of the baseline whose check did not run this time: neither fixed nor new."""

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
            "carried": [
                {"credential": k, "finding": f, "first_seen": first_seen.get((k, f), self.since)}
                for k, f in self.carried
            ],
        }


def compare(
    baseline: Baseline,
    current: Iterable[Problem],
    looked_at: Callable[[Problem], bool] = lambda problem: True,
) -> Changes:
    """The problems of this run against the baseline's, each list in a stable order. A
    baseline problem this run did not look at (its check not run: ``-k``, ``--lf``, ``--co``,
    blocked by another problem) is not fixed: it is carried, first-seen date and all."""
    now = set(current)
    gone = baseline.problems - now
    return Changes(
        since=baseline.generated_at,
        new=tuple(sorted(now - baseline.problems)),
        fixed=tuple(sorted(p for p in gone if looked_at(p))),
        still=tuple(sorted(now & baseline.problems)),
        carried=tuple(sorted(p for p in gone if not looked_at(p))),
    )


def shown_date(timestamp: str) -> str:
    """An ISO timestamp as the reports show dates: ``2026-12-01 08:00 UTC``."""
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return timestamp
    zone = moment.strftime(" %Z") if moment.tzinfo else ""
    return moment.strftime("%Y-%m-%d %H:%M") + zone


def _list(value: object) -> list[dict[str, Any]]:
    """The objects of a JSON list (nothing when it is not one)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def fact(value: object) -> str | int | None:
    """A value worth keeping across runs: a short plain string or an integer (Meta's enum
    values, an expiry time), else None: what a run writes and what a baseline is trusted with."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    if isinstance(value, int):
        return value if abs(value) < 1 << 53 else None
    return value if len(value) <= MAX_FACT and value.isprintable() else None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _is_date(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
