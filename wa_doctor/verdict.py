"""What a check's results, one per credential, mean for its pytest test: passed, skipped (only
when every credential was), or failed with the text CI tools show. Pure: no pytest here, so it is
tested on its own; the plugin only turns the verdict into ``pytest.fail``/``pytest.skip``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .credentials import Credential
from .doctor import Doctor
from .findings import Outcome
from .runner import CheckResult

SUMMARY_LENGTH = 300
"""Longest one-line failure summary: pytest 9.2 cuts JUnit's ``message`` attribute at 500
characters (and older pytest keeps it whole), so a summary this long is never cut."""

Results = Sequence[tuple[Credential | None, CheckResult]]
"""A test's check results, by credential (None: a check of no credential)."""


def counted(result: CheckResult, strict: bool) -> Outcome:
    """The outcome a result counts as: a warning fails under ``--wa-strict``/``fail-on
    warning``. The one place that rule is written."""
    if strict and result.outcome is Outcome.WARNING:
        return Outcome.FAILED
    return result.outcome


@dataclass(frozen=True)
class Verdict:
    """How the test ends: ``failure`` when any credential failed, else ``skip_reason`` when
    every one was skipped, else it passes."""

    failure: CheckFailure | None = None
    skip_reason: str | None = None


def conclude(doctor: Doctor, results: Results) -> Verdict:
    """The verdict of one test over its results."""
    strict = doctor.config.fails_on_warnings
    failed = [(c, r) for c, r in results if counted(r, strict) is Outcome.FAILED]
    if failed:
        return Verdict(failure=CheckFailure.of(doctor, failed, named=len(results) > 1))
    if results and all(result.outcome is Outcome.SKIPPED for _, result in results):
        return Verdict(skip_reason="; ".join(dict.fromkeys(r.reason or "" for _, r in results)))
    return Verdict()


def _line(credential: Credential | None, text: str, named: bool) -> str:
    return f"{credential.label}: {text}" if named and credential is not None else text


@dataclass(frozen=True)
class ReprCrash:
    """What pytest's JUnit XML and short test summary read as a failure's one-line message."""

    message: str


@dataclass(frozen=True)
class CheckFailure:
    """A failed check as pytest's reporters show it: a one-line ``summary`` (JUnit's
    ``message`` attribute, the short test summary: the finding and how many credentials) and
    the whole ``text`` with a line per credential (JUnit's element text, the FAILURES section).

    pytest takes the summary from ``longrepr.reprcrash.message`` and the text from ``str()``
    and ``toterminal()``, so this object stands in for the report's ``longrepr``."""

    summary: str
    text: str

    @classmethod
    def of(cls, doctor: Doctor, failed: Results, named: bool) -> CheckFailure:
        text = "\n".join(_line(c, result.headline(), named) for c, result in failed)
        return cls(_summary(doctor, failed, named), doctor.redactor(text))

    @property
    def reprcrash(self) -> ReprCrash:
        return ReprCrash(self.summary)

    def toterminal(self, out: Any) -> None:
        out.line(self.text)

    def __str__(self) -> str:
        return self.text


def _summary(doctor: Doctor, failed: Results, named: bool) -> str:
    """One finding: ``[id] title: message`` (its credential first when there are several);
    more credentials: each finding with how many credentials it failed for."""
    if len(failed) == 1:
        credential, result = failed[0]
        line = _line(credential, result.headline(), named)
    else:
        by_finding = Counter(
            f"[{r.primary.id}] {r.primary.title}" if r.primary else (r.reason or "?")
            for _, r in failed
        )
        label = doctor.catalog.label("failed_for", doctor.lang)
        line = "; ".join(f"{what} — {label.format(n=n)}" for what, n in by_finding.items())
    line = doctor.redactor(" ".join(line.split()))
    return line if len(line) <= SUMMARY_LENGTH else line[: SUMMARY_LENGTH - 1] + "…"
