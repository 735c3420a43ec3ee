"""The report of a run: ``report.json`` and the HTML pieces put into pytest-html's page.

Everything here is built from :class:`CheckRecord` values whose texts were already redacted and
rendered in the run's language, and every string put into HTML is escaped (Meta's error text
is untrusted). The diagnosis summary is static HTML, readable with JavaScript off and printed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from . import __version__
from .doctor import Doctor
from .files import write_atomically
from .findings import Outcome
from .runner import CheckResult

PROBLEM_OUTCOMES = (Outcome.FAILED, Outcome.WARNING)
_MARKS = {
    Outcome.PASSED: ("✓", "green"),
    Outcome.FAILED: ("✗", "red"),
    Outcome.WARNING: ("!", "yellow"),
    Outcome.SKIPPED: ("-", None),
}


@dataclass(frozen=True)
class CheckRecord:
    """One check's line in the report."""

    check_id: str
    nodeid: str
    credential: str | None
    outcome: Outcome
    result: CheckResult | None
    message: str

    def to_json(self) -> dict[str, Any]:
        primary = self.result.primary if self.result else None
        return {
            "id": self.check_id,
            "nodeid": self.nodeid,
            "credential": self.credential,
            "outcome": self.outcome.value,
            "finding": primary.id if primary else None,
            "message": self.message,
            "remedy": primary.to_dict() if primary else None,
            "findings": [
                {"id": r.id, "severity": r.severity.value, "title": r.title, "message": r.message}
                for r in (self.result.remedies if self.result else ())
            ],
        }


class Report:
    """Collects the records of a run and writes them out."""

    def __init__(self, doctor: Doctor) -> None:
        self.doctor = doctor
        self.records: list[CheckRecord] = []

    def add(self, record: CheckRecord) -> None:
        self.records.append(record)

    def problems(self) -> list[CheckRecord]:
        """Failed and warning checks, in run order."""
        return [r for r in self.records if r.outcome in PROBLEM_OUTCOMES]

    def highlights(self) -> list[CheckRecord]:
        """What the summaries show, in run order (the order of every other output): problems,
        and passed checks that report a fact (an info finding such as a sent message's id)."""
        return [
            r
            for r in self.records
            if r.outcome in PROBLEM_OUTCOMES or (r.result is not None and r.result.primary)
        ]

    def counts(self) -> dict[str, int]:
        keys = {
            Outcome.PASSED: "passed",
            Outcome.FAILED: "failed",
            Outcome.WARNING: "warnings",
            Outcome.SKIPPED: "skipped",
        }
        counts = dict.fromkeys(keys.values(), 0)
        for record in self.records:
            counts[keys[record.outcome]] += 1
        return counts

    # -- terminal ---------------------------------------------------------------------------
    def doctor_lines(self) -> list[tuple[str, str | None]]:
        """flutter-doctor style: per credential, one line per check, remedies under failures.

        Returns (text, colour) pairs; the colour is applied only on a terminal that has it.
        """
        label = self.label
        counts = self.counts()
        lines: list[tuple[str, str | None]] = [
            (
                label("problems_found").format(**counts)
                if self.problems()
                else label("no_problems"),
                "red" if counts["failed"] else ("yellow" if counts["warnings"] else "green"),
            )
        ]
        groups = [None] + [c.label for c in self.doctor.credentials]
        for group in groups:
            records = [r for r in self.records if r.credential == group]
            if not records:
                continue
            lines.append((group or label("general"), None))
            for record in records:
                lines.extend(self._record_lines(record))
        return lines

    def _record_lines(self, record: CheckRecord) -> list[tuple[str, str | None]]:
        mark, colour = _MARKS[record.outcome]
        primary = record.result.primary if record.result else None
        if primary is None:
            reason = f" — {record.message}" if record.outcome is Outcome.SKIPPED else ""
            return [(f"  [{mark}] {record.check_id}{reason}", colour)]
        head = f"  [{mark}] {record.check_id} — {primary.title} ({primary.id})"
        if record.outcome is Outcome.PASSED:  # an info finding: the fact itself
            return [(head, colour), (f"      {primary.message}", None)]
        return [(head, colour), (f"      {self.label('remedy')}: {primary.first_step}", None)]

    def to_json(self) -> dict[str, Any]:
        config = self.doctor.config
        return {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "tool_version": __version__,
            "language": self.doctor.lang,
            "api_version": config.api_version,
            "graph_url": self.doctor.redactor(str(config.graph_url)),
            "summary": self.counts(),
            "credentials": [c.summary() for c in self.doctor.credentials],
            "checks": [r.to_json() for r in self.records],
        }

    def write_json(self, path: Path) -> None:
        text = self.doctor.redactor(json.dumps(self.to_json(), ensure_ascii=False, indent=2))
        write_atomically(path, text + "\n")

    # -- HTML -------------------------------------------------------------------------------
    def label(self, key: str) -> str:
        return self.doctor.catalog.label(key, self.doctor.lang)

    def summary_html(self) -> str:
        """The static diagnosis block at the top of the HTML report."""
        counts = self.counts()
        problems = self.problems()
        headline = (
            self.label("problems_found").format(**counts) if problems else self.label("no_problems")
        )
        rows = "".join(
            f"<tr><td>{escape(c.label)}</td><td>{escape(c.source)}</td>"
            f"<td><code>{escape(c.token_preview)}</code> ({escape(c.token_source)})</td>"
            f"<td>{escape(c.phone_number_id or '—')}</td></tr>"
            for c in self.doctor.credentials
        )
        credentials = (
            f"<table class='wa-credentials'><tr><th>{escape(self.label('credential'))}</th>"
            f"<th>{escape(self.label('source'))}</th><th>{escape(self.label('token'))}</th>"
            f"<th>{escape(self.label('phone_number_id'))}</th></tr>{rows}</table>"
        )
        sections = "".join(self._problem_html(record) for record in self.highlights())
        return (
            f"<style>{_CSS}</style><div class='wa-diagnosis' id='wa-diagnosis'>"
            f"<h2>{escape(self.label('diagnosis'))}</h2>"
            f"<p class='wa-headline'>{escape(headline)}</p>{credentials}{sections}</div>"
        )

    def _problem_html(self, record: CheckRecord) -> str:
        primary = record.result.primary if record.result else None
        if primary is None:
            return ""
        kind = primary.severity.value
        who = f"{record.credential} · " if record.credential else ""
        return (
            f"<section class='wa-finding wa-{kind}' data-finding='{escape(primary.id)}'>"
            f"<h3>{escape(who)}{escape(primary.title)} <code>{escape(primary.id)}</code> "
            f"<span class='wa-badge'>{escape(self.label(kind))}</span></h3>"
            f"<p>{escape(primary.message)}</p>{remedy_html(primary)}</section>"
        )


def remedy_cell(record: CheckRecord | None) -> str:
    """The Remedy column of the results table: title and first step, or an empty cell.

    pytest-html needs exactly one cell per header, so every row gets one, even collect errors.
    """
    primary = record.result.primary if record and record.result else None
    text = f"{primary.title}: {primary.first_step}" if primary else ""
    return f'<td class="col-remedy">{escape(text)}</td>'


def remedy_html(remedy: Any) -> str:
    """Steps, procedures (with their SQL) and links of one remedy, as static HTML."""
    steps = "".join(f"<li>{escape(step)}</li>" for step in remedy.steps)
    parts = [f"<ol class='wa-steps'>{steps}</ol>" if steps else ""]
    for procedure in remedy.procedures:
        items = "".join(f"<li>{escape(step)}</li>" for step in procedure.steps)
        sql = f"<pre class='wa-sql'>{escape(procedure.sql)}</pre>" if procedure.sql else ""
        parts.append(f"<h4>{escape(procedure.title)}</h4><ol>{items}</ol>{sql}")
    if remedy.links:
        links = "".join(f"<li><a href='{escape(u)}'>{escape(u)}</a></li>" for u in remedy.links)
        parts.append(f"<ul class='wa-links'>{links}</ul>")
    return "".join(parts)


_CSS = """
.wa-diagnosis{font-family:sans-serif;margin:1em 0;padding:1em;
  border:1px solid #ccc;border-radius:6px}
.wa-headline{font-weight:bold;font-size:1.1em}
.wa-credentials{border-collapse:collapse;margin:.5em 0}
.wa-credentials td,.wa-credentials th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
.wa-finding{border-left:6px solid #c0392b;padding:.3em 1em;margin:1em 0;background:#fdf3f2}
.wa-finding.wa-warning{border-left-color:#e67e22;background:#fef7ef}
.wa-finding.wa-info{border-left-color:#2980b9;background:#f1f7fc}
.wa-finding h3{margin:.3em 0;font-size:1.05em}
.wa-badge{font-size:.8em;text-transform:uppercase;color:#555}
.wa-sql{background:#272822;color:#f8f8f2;padding:.6em;white-space:pre-wrap}
td.col-remedy{max-width:40em}
@media print{.controls,.summary__reload,p.filter{display:none}
.wa-finding{break-inside:avoid}}
"""
