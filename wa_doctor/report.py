"""The report of a run: its records (one per check and credential), what the summaries rank and
count, and ``report.json``.

Everything here is built from :class:`CheckRecord` values whose texts were already redacted and
rendered in the run's language. The HTML made of it is :mod:`.html_page`'s, the terminal's
:mod:`.terminal`'s.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .baseline import PROBLEM_SEVERITIES, RUN, Changes, Problem, compare, shown_date
from .credentials import Credential
from .doctor import Doctor
from .files import write_atomically
from .findings import Outcome, Severity
from .redaction import Redactor, one_line
from .registry import CHECKS
from .runner import CheckResult
from .verdict import counted

_ENCODER = json.JSONEncoder(ensure_ascii=False)
"""A record's line of report.json (one encoder for all: ``json.dumps`` with an option makes
a new one for every line)."""
PROBLEM_OUTCOMES = (Outcome.FAILED, Outcome.WARNING)
_RANK = (Outcome.FAILED, Outcome.WARNING, Outcome.PASSED, Outcome.SKIPPED)
_KEYS = {
    Outcome.PASSED: "passed",
    Outcome.FAILED: "failed",
    Outcome.WARNING: "warnings",
    Outcome.SKIPPED: "skipped",
}


def redacted(value: Any, redact: Redactor, keys: bool = True) -> Any:
    """``value`` with every string in it redacted: before encoding, once. (Redacting encoded
    JSON could cut an escape in two: ``input_token=x\\"`` redacted ate the backslash.)
    ``keys=False`` leaves the keys of every object as they are: for a record's entry, whose
    keys are this module's own words, which a run writes tens of thousands of times."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):  # a string value redacted here: a run has hundreds of thousands
        return {
            (redact(str(k)) if keys else k): redact(v)
            if isinstance(v, str)
            else redacted(v, redact, keys)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redacted(v, redact, keys) for v in value]
    return value


def representative(records: list[CheckRecord]) -> CheckRecord:
    """The record a test's row shows: its worst credential (the first of them), a passed one
    over a skipped one, as pytest counts the test."""
    return min(records, key=lambda r: _RANK.index(r.outcome))


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """One check's line in the report (of one credential: a large fleet holds tens of
    thousands of them, hence the slots)."""

    check_id: str
    nodeid: str
    credential: str | None
    outcome: Outcome
    result: CheckResult | None
    message: str

    @classmethod
    def of(
        cls,
        doctor: Doctor,
        check_id: str,
        nodeid: str,
        credential: Credential | None,
        result: CheckResult,
    ) -> CheckRecord:
        """The record of a check's result for one credential (None: of no credential), counted
        as the run counts it (``--wa-strict``)."""
        return cls(
            check_id=check_id,
            nodeid=nodeid,
            credential=credential.label if credential else None,
            outcome=counted(result, doctor.config.fails_on_warnings),
            result=result,
            message=doctor.redactor(result.headline()),
        )

    def properties(self) -> list[tuple[str, str]]:
        """The record's finding as JUnit XML properties (none when it has no finding)."""
        primary = self.result.primary if self.result else None
        if primary is None:
            return []
        return [
            *([("credential", self.credential)] if self.credential else []),
            ("finding", primary.id),
            ("severity", primary.severity.value),
            ("message", primary.message),
            ("remedy", f"{primary.title}: {primary.first_step}"),
        ]

    def to_json(self) -> dict[str, Any]:
        primary = self.result.primary if self.result else None
        return {
            "id": self.check_id,
            "nodeid": self.nodeid,
            "credential": self.credential,
            "outcome": self.outcome.value,
            "finding": primary.id if primary else None,
            "message": self.message,
            "fbtrace_id": self.result.fbtrace_id() if self.result else None,
            "remedy": primary.to_dict() if primary else None,
            "findings": [
                {
                    "id": r.id,
                    "severity": r.severity.value,
                    "title": r.title,
                    "message": r.message,
                    "fbtrace_id": self.result.fbtrace_id(r),
                    "ignored": r.ignored,
                }
                for r in (self.result.remedies if self.result else ())
            ],
        }


Facts = Callable[[Doctor, Credential], dict[str, object]]
MAX_CHANGES_SHOWN = 20
"""New (and fixed) problems listed on the first screen; report.json has every one."""


NAME_FACTS = ("verified_name", "display_phone_number")
"""The facts a credential is known by (see :attr:`Report.names`)."""


class Report:
    """Collects the records of a run and writes them out."""

    def __init__(self, doctor: Doctor, facts: Facts | None = None) -> None:
        self.doctor = doctor
        self.facts = facts
        """What to keep of each credential for the next run to compare with (the checks'
        prerequisites: see :func:`wa_doctor.checks.prerequisites.facts`)."""
        self.records: list[CheckRecord] = []
        self._counts = dict.fromkeys(_KEYS.values(), 0)
        """The records by outcome, kept as they are added: every output asks for them, and
        counting tens of thousands of records each time was a good part of a large run's end."""
        self.started = datetime.now(UTC).isoformat(timespec="seconds")
        self.history: list[dict[str, Any]] = []
        """The runs kept beside the reports, this one last (:mod:`.history`), once written."""
        self.first_seen: dict[Problem, str] = {}
        """Every problem of this run and the date it was first seen: the baseline's, else now."""
        self._json_lines = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (see close)
        """Each record's line of report.json, encoded and redacted when it was added (while
        the checks wait for Meta, not after the last answer), kept in a nameless temporary
        file rather than in memory: a thousand credentials make megabytes of them."""

    def close(self) -> None:
        """Let go of the temporary file (at the end of the run; the system removes it anyway)."""
        self._json_lines.close()

    def add(self, record: CheckRecord) -> None:
        self.records.append(record)
        self._counts[_KEYS[record.outcome]] += 1
        entry = record.to_json()
        key = self.doctor.keys.get(record.credential or "", RUN)
        baseline = self.doctor.baseline.first_seen if self.doctor.baseline else {}
        for found in entry["findings"]:
            if found["severity"] in PROBLEM_SEVERITIES:
                problem = (key, found["id"])
                seen = self.first_seen.setdefault(problem, baseline.get(problem, self.started))
                found["first_seen"] = seen
        line = _ENCODER.encode(redacted(entry, self.doctor.redactor, keys=False))
        self._json_lines.write(f"{',' if len(self.records) > 1 else ''}\n    {line}")

    def highlights(self) -> list[CheckRecord]:
        """What the summaries show, in run order (the order of every other output): problems,
        and passed checks that report a fact (an info finding such as a sent message's id)."""
        return [
            r
            for r in self.records
            if r.outcome in PROBLEM_OUTCOMES or (r.result is not None and r.result.primary)
        ]

    def counts(self) -> dict[str, int]:
        """Records by outcome: each check of each credential counts."""
        return dict(self._counts)

    def by_credential(self) -> dict[str | None, list[CheckRecord]]:
        """The records of each credential label (None: checks of no credential), in run order,
        grouped in one pass (a thousand credentials hold tens of thousands of records)."""
        groups: dict[str | None, list[CheckRecord]] = {}
        for record in self.records:
            groups.setdefault(record.credential, []).append(record)
        return groups

    def worst_first(self) -> list[CheckRecord]:
        """The highlights, errors first, then warnings, then facts (run order within each):
        what the terminal and the HTML page show first."""
        order = list(Severity)

        def rank(record: CheckRecord) -> tuple[bool, int]:
            primary = record.result.primary  # type: ignore[union-attr]
            return primary.ignored is not None, order.index(primary.severity)  # type: ignore[union-attr]

        return sorted((r for r in self.highlights() if r.result and r.result.primary), key=rank)

    def summary_json(self) -> dict[str, Any]:
        """report.json but its checks: when, what, against what, the counts, the credentials."""
        config = self.doctor.config
        return {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "tool_version": __version__,
            "language": self.doctor.lang,
            "api_version": config.api_version,
            "graph_url": self.doctor.redactor(config.graph_url),
            "simulated": self.simulated,
            "result": self.result_line(),
            "summary": self.counts(),
            "credentials": [
                {**c.summary(), **({"facts": self.kept[c.label]} if self.facts else {})}
                for c in self.doctor.credentials
            ],
            "changes": self.changes.to_json(self._first_seen_anywhere) if self.changes else None,
        }

    @property
    def _first_seen_anywhere(self) -> dict[Problem, str]:
        """First-seen dates of this run's problems and of those carried from the baseline."""
        baseline = self.doctor.baseline
        return {**(baseline.first_seen if baseline else {}), **self.first_seen}

    def write_json(self, path: Path) -> None:
        """The report, indented, each check on one line: readable, diffable line by line, and
        encoded by the json module's C encoder (indenting every level takes its pure-Python
        one, several times slower with the tens of thousands of checks of a large fleet)."""
        summary = redacted(self.summary_json(), self.doctor.redactor)
        head = json.dumps(summary, ensure_ascii=False, indent=2).removesuffix("\n}")
        self._json_lines.seek(0)
        checks = iter(lambda: self._json_lines.read(1 << 16), "")
        pieces = (head, ',\n  "checks": [')
        write_atomically(path, itertools.chain(pieces, checks, ("\n  ]\n}\n",)))
        self._json_lines.seek(0, os.SEEK_END)

    def label(self, key: str) -> str:
        return self.doctor.catalog.label(key, self.doctor.lang)

    @property
    def simulated(self) -> str | None:
        """The simulator's scenario when the run was against it, else None."""
        return self.doctor.config.simulate or None

    @functools.cached_property
    def changes(self) -> Changes | None:
        """What changed since the baseline (asked once the run is over), None without one."""
        baseline = self.doctor.baseline
        if baseline is None:
            return None
        return compare(baseline, self.first_seen, self.looked_at)

    @functools.cached_property
    def _ran(self) -> tuple[frozenset[tuple[str, str]], frozenset[str]]:
        """(credential key, check) of every check that ran, and the keys anything ran for."""
        ran = frozenset(
            (self.doctor.keys.get(r.credential or "", RUN), r.check_id)
            for r in self.records
            if r.outcome is not Outcome.SKIPPED
        )
        return ran, frozenset(key for key, _ in ran)

    def looked_at(self, problem: Problem) -> bool:
        """Whether this run looked for ``problem``: a check that may raise it ran for its
        credential (for a finding no check declares, Graph's own, any check of it). A problem
        not looked at is not fixed: its check was not selected, or another problem blocked it."""
        key, finding = problem
        ran, keys = self._ran
        raisers = self._raisers.get(finding)
        return any((key, name) in ran for name in raisers) if raisers else key in keys

    @functools.cached_property
    def _raisers(self) -> dict[str, list[str]]:
        """The checks that may raise each finding (built once: a baseline holds hundreds)."""
        raisers: dict[str, list[str]] = {}
        for declared in CHECKS.values():
            for finding in declared.raises:
                raisers.setdefault(finding, []).append(declared.name)
        return raisers

    @property
    def complete(self) -> bool:
        """Whether every declared check has its say in this run (none left out by ``-k``,
        ``--lf`` or ``--co``): only such a run is a line of the history."""
        return {r.check_id for r in self.records} >= set(CHECKS)

    def changes_line(self) -> str | None:
        """'Since 2026-12-01 08:00 UTC: 1 new, 2 fixed, 3 still open', when there is a baseline."""
        changes = self.changes
        if changes is None:
            return None
        return self.label("changes").format(
            since=shown_date(changes.since),
            new=self.doctor.catalog.number(len(changes.new), self.doctor.lang),
            fixed=self.doctor.catalog.number(len(changes.fixed), self.doctor.lang),
            still=self.doctor.catalog.number(len(changes.still), self.doctor.lang),
        )

    @functools.cached_property
    def kept(self) -> dict[str, dict[str, object]]:
        """Each credential's facts by label, read once the checks are over (report.json and
        the history both keep them)."""
        if self.facts is None:
            return {}
        return {c.label: self.facts(self.doctor, c) for c in self.doctor.credentials}

    @functools.cached_property
    def names(self) -> dict[str, str]:
        """Each credential as people know it, by label: "CRM Demo · +1 555-010-4242
        (db1-300000000000001)". The business name and number are Meta's, as this run read them,
        else as the baseline kept them (a dead token lets Meta tell nothing); the label stays,
        as commands take it. Read once the checks are over, like :attr:`kept`."""
        baseline = self.doctor.baseline
        names = {}
        for credential in self.doctor.credentials:
            before = baseline.facts.get(self.doctor.key(credential), {}) if baseline else {}
            now = self.kept.get(credential.label, {})
            known = [now.get(name) or before.get(name) for name in NAME_FACTS]
            shown = self.doctor.redactor(" · ".join(str(value) for value in known if value))
            names[credential.label] = f"{shown} ({credential.label})" if shown else credential.label
        return names

    def name(self, label: str | None) -> str:
        """A credential's :attr:`names` entry; the shared setup's words for checks of none."""
        return self.label("shared_setup") if label is None else self.names.get(label, label)

    def history_entry(self) -> dict[str, Any]:
        """This run as a line of the history: per credential, its problems and the days left
        until its token expires (with the quality and limit Meta gave)."""
        credentials = {}
        by_credential = self.by_credential()
        for credential in self.doctor.credentials:
            records = by_credential.get(credential.label, [])
            kept = self.kept.get(credential.label, {})
            expires = kept.get("token_expires_at")
            errors = sum(r.outcome is Outcome.FAILED for r in records)
            warnings = sum(r.outcome is Outcome.WARNING for r in records)
            credentials[self.doctor.key(credential)] = {
                "label": credential.label,
                "errors": errors,
                "warnings": warnings,
                "problems": errors + warnings,
                "days_left": (expires - self.doctor.now()) // 86_400
                if isinstance(expires, int) and expires > 0
                else None,
                "quality_rating": kept.get("quality_rating"),
                "messaging_limit": kept.get("messaging_limit"),
            }
        return {"at": self.started, "summary": self.counts(), "credentials": credentials}

    def change_items(self) -> list[tuple[str, str]]:
        """Each new problem, then each fixed one: ('change_new', 'token.expired · env-1065…')."""
        changes = self.changes
        if changes is None:
            return []
        labels = {key: label for label, key in self.doctor.keys.items()}
        general = self.label("shared_setup")

        def where(key: str) -> str:
            return general if key == RUN else labels.get(key, key)

        items = []
        for kind, problems in (("change_new", changes.new), ("change_fixed", changes.fixed)):
            shown = problems[:MAX_CHANGES_SHOWN]
            items += [(kind, f"{finding} · {where(key)}") for key, finding in shown]
            if len(problems) > len(shown):
                more = self.doctor.catalog.number(len(problems) - len(shown), self.doctor.lang)
                items.append((kind, self.label("changes_more").format(n=more)))
        return [(kind, one_line(self.doctor.redactor(item))) for kind, item in items]

    def simulated_line(self) -> str | None:
        """Said wherever the result is said: a simulated report must not pass for a real one."""
        scenario = self.simulated
        return self.label("simulated").format(scenario=scenario) if scenario else None

    def result_line(self) -> str:
        """'✗ 2 problemas, 1 advertencia' / '! 1 warning' / '✓ No problems', or that nothing
        was checked: a run that checked nothing (``--co``, ``-k nomatch``) claims no health."""
        if not self.records:
            return self.label("result_nothing_checked")
        counts = self.counts()
        parts = [
            self.label(f"{kind}_{'one' if n == 1 else 'other'}").format(n=n)
            for kind, n in (("problem", counts["failed"]), ("warning", counts["warnings"]))
            if n
        ]
        if counts["failed"]:
            return self.label("result_problems").format(parts=", ".join(parts))
        if counts["warnings"]:
            return self.label("result_warnings").format(parts=", ".join(parts))
        if counts["skipped"]:  # a green run must not hide that some checks never ran
            return self.label("result_ok_not_run").format(n=counts["skipped"])
        return self.label("result_ok")
