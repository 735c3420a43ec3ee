"""Run one check and turn whatever happens into a :class:`CheckResult`.

A check is a plain function ``check(doctor, *args) -> list[Finding]``. It may raise any
:class:`~wa_doctor.errors.DoctorError`: a skip becomes a skipped result with its reason, any
other becomes the finding it carries. An unexpected exception is a bug in this tool and becomes
``doctor.internal_error`` with a redacted one-line message, never a traceback with secrets.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .catalog import Procedure, Remedy, fill
from .credentials import Credential
from .doctor import Doctor
from .errors import DoctorError, Skip
from .findings import Finding, Outcome, Severity, worst
from .redaction import one_line
from .registry import Check

CheckFunction = Callable[..., Sequence[Finding]]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, its findings rendered in the run's language."""

    outcome: Outcome
    findings: tuple[Finding, ...] = ()
    remedies: tuple[Remedy, ...] = ()
    reason: str | None = None

    @functools.cached_property
    def primary(self) -> Remedy | None:
        """The most serious finding's remedy (one not accepted by the user first): what tables
        and summaries show (asked for by every output, so kept)."""
        for accepted in (False, True):
            for severity in Severity:
                for remedy in self.remedies:
                    if remedy.severity is severity and (remedy.ignored is not None) == accepted:
                        return remedy
        return None

    def fbtrace_id(self, remedy: Remedy | None = None) -> str | None:
        """Meta's trace id for a finding that came from a Graph answer (the primary one by
        default): Meta support asks for it first."""
        remedy = remedy or self.primary
        for found, rendered in zip(self.findings, self.remedies, strict=False):
            if rendered is remedy:
                trace = str(found.params.get("fbtrace_id") or "")
                return trace if trace and trace != "—" else None
        return None

    def unquoted_fbtrace_id(self, remedy: Remedy | None = None) -> str | None:
        """The trace id when the finding's message does not already quote it (Graph error
        details do): what outputs add after the message."""
        remedy = remedy or self.primary
        trace = self.fbtrace_id(remedy)
        return trace if trace and remedy and trace not in remedy.message else None

    def headline(self) -> str:
        """One line for pytest's failure message and JUnit: ``[id] title: message``."""
        primary = self.primary
        if primary is None:
            return self.reason or ""
        return f"[{primary.id}] {primary.title}: {primary.message}"


PASSED = CheckResult(Outcome.PASSED)
"""The result of every check that found nothing."""


def run_check(doctor: Doctor, check: CheckFunction, *args: Any) -> CheckResult:
    """Call ``check(doctor, *args)`` and classify what it returned or raised."""
    credential = next((a for a in args if isinstance(a, Credential)), None)
    try:
        found = list(check(doctor, *args))
    except Skip as skip:
        reason = fill(doctor.catalog.label(skip.reason, doctor.lang), dict(skip.params))
        return CheckResult(Outcome.SKIPPED, reason=one_line(doctor.redactor(reason)))
    except DoctorError as error:
        found = [Finding(error.finding_id, _redacted(doctor, error.params))]
    except Exception as exc:  # a bug in a check must not crash the run or leak a secret
        return internal_error(doctor, f"{type(exc).__name__}: {exc}", credential)
    return result_of(doctor, found, credential)


def run_declared(doctor: Doctor, declared: Check) -> list[tuple[Credential | None, CheckResult]]:
    """Run a declared check for every credential of the run, or once of none when it is a
    check of the whole configuration: what one test of ``diagnostics/`` runs."""
    if not declared.per_credential:
        return [(None, run_check(doctor, declared))]
    return [(c, run_check(doctor, declared, c)) for c in doctor.credentials]


def internal_error(
    doctor: Doctor, detail: str, credential: Credential | None = None
) -> CheckResult:
    """A bug in this tool (a check, a fixture, a diagnostics file) as a failed, redacted result."""
    return result_of(
        doctor, [Finding("doctor.internal_error", {"detail": doctor.redactor(detail)})], credential
    )


def result_of(
    doctor: Doctor, found: Sequence[Finding], credential: Credential | None
) -> CheckResult:
    """Render findings and derive the outcome: error → failed, warning → warning, none → passed."""
    if not found:  # most checks of a healthy fleet: nothing to render, one shared result
        return PASSED
    context = doctor.context(credential)
    remedies = tuple(
        _redact_remedy(
            doctor, doctor.catalog.render(f, doctor.lang, context), doctor.ignored(f.id, credential)
        )
        for f in found
    )
    severity = worst(r.severity for r in remedies if r.ignored is None)
    outcome = {
        Severity.ERROR: Outcome.FAILED,
        Severity.WARNING: Outcome.WARNING,
        Severity.INFO: Outcome.PASSED,
        None: Outcome.PASSED,
    }[severity]
    return CheckResult(outcome, tuple(found), remedies)


def _redacted(doctor: Doctor, params: Any) -> dict[str, Any]:
    return {k: doctor.redactor(v) if isinstance(v, str) else v for k, v in dict(params).items()}


def _redact_remedy(doctor: Doctor, remedy: Remedy, ignored: str | None = None) -> Remedy:
    """Messages quote Meta's text and error details, procedures a row's id: scrub them like
    every other output, and keep each sentence on one line (see :func:`one_line`)."""

    def clean(text: str) -> str:
        return one_line(doctor.redactor(text))

    def procedure(p: Procedure) -> Procedure:
        return dataclasses.replace(
            p,
            title=clean(p.title),
            steps=tuple(clean(s) for s in p.steps),
            sql=doctor.redactor(p.sql) if p.sql else p.sql,
            command=clean(p.command) if p.command else p.command,
        )

    return Remedy(
        ignored=ignored,
        id=remedy.id,
        severity=remedy.severity,
        title=clean(remedy.title),
        message=clean(remedy.message),
        steps=tuple(clean(s) for s in remedy.steps),
        procedures=tuple(procedure(p) for p in remedy.procedures),
        links=remedy.links,
    )
