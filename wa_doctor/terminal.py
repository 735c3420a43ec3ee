"""The doctor's section of pytest's terminal output: the problem first, the rest folded.

A newcomer reads the end of the output. So it starts with the result in one line, then every
finding (errors first) with its message, the first step, the command or SQL to copy and the docs
link; every finding of a check is shown, not only the worst (stored failures 131047, 131026 and
132000 are three findings). Passed and not-run checks fold into one line per credential, the
reasons counted on lines of their own (``×12 blocked by config.missing_token``), unless ``-v``
asks for every check. ``-q`` prints one line per finding.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass

from .catalog import Remedy
from .findings import Outcome, Severity
from .redaction import no_workflow_command
from .report import CheckRecord, Report

_MARK = {
    Severity.ERROR: ("✗", "red"),
    Severity.WARNING: ("!", "yellow"),
    Severity.INFO: ("i", None),
}
_OUTCOME_MARK = {
    Outcome.PASSED: ("✓", "green"),
    Outcome.FAILED: ("✗", "red"),
    Outcome.WARNING: ("!", "yellow"),
    Outcome.SKIPPED: ("-", None),
}

Line = tuple[str, str | None]
"""A line and its colour (applied only on a terminal that has colours)."""


@dataclass(frozen=True)
class TerminalSummary:
    """What the doctor prints at the end of a run, at pytest's verbosity."""

    report: Report

    def label(self, key: str) -> str:
        return self.report.label(key)

    def lines(self, verbosity: int = 0, width: int | None = None) -> list[Line]:
        """The summary's lines; none of them can be read as a GitHub Actions workflow command,
        whatever foreign text they quote. With ``width`` (an interactive terminal, which would
        cut words in two), each is cut at spaces to fit, but the commands and SQL to copy."""
        said = [(no_workflow_command(text), colour) for text, colour in self._lines(verbosity)]
        if width is None:
            return said
        whole = {  # the commands and SQL to copy: as they are at any width
            no_workflow_command(line) for _, remedy in self._found() for line in _copy(remedy)
        }
        return [
            (piece, colour)
            for text, colour in said
            for line in text.split("\n")
            for piece in ([line] if line in whole else wrapped(line, width))
        ]

    def _lines(self, verbosity: int) -> list[Line]:
        counts = self.report.counts()
        colour = "red" if counts["failed"] else ("yellow" if counts["warnings"] else "green")
        lines: list[Line] = [(self.report.result_line(), colour)]
        simulated = self.report.simulated_line()
        if simulated:
            lines.append((simulated, "yellow"))
        changes = self.report.changes_line()
        if changes:
            lines.append(
                (changes, "red" if self.report.changes and self.report.changes.new else None)
            )
            lines += [
                (f"  {self.label(kind)}: {item}", "red" if kind == "change_new" else "green")
                for kind, item in self.report.change_items()
            ]
        found = self._found()
        if verbosity < 0:
            return lines + [self._one_line(record, remedy) for record, remedy in found]
        for record, remedy in found:
            lines.append(("", None))
            lines.extend(self._finding(record, remedy))
        lines.append(("", None))
        if verbosity > 0:
            lines.extend(self._every_check())
        else:
            lines.extend(self._folded())
        return lines

    def _mark(self, remedy: Remedy) -> tuple[str, str | None]:
        return ("~", None) if remedy.ignored else _MARK[remedy.severity]

    def _found(self) -> list[tuple[CheckRecord, Remedy]]:
        """Each finding to show with its record, worst first."""
        return [
            (record, remedy)
            for record in self.report.worst_first()
            for remedy in _by_severity(record.result.remedies if record.result else ())
        ]

    def _one_line(self, record: CheckRecord, remedy: Remedy) -> Line:
        mark, colour = self._mark(remedy)
        where = self.report.name(record.credential)
        return (f"{mark} {where} {remedy.id}: {remedy.title} — {remedy.first_step}", colour)

    def _finding(self, record: CheckRecord, remedy: Remedy) -> list[Line]:
        mark, colour = self._mark(remedy)
        where = self.report.name(record.credential)
        lines: list[Line] = [
            (f"[{mark}] {record.check_id} · {where} — {remedy.title} ({remedy.id})", colour),
            (f"    {remedy.message}", None),
        ]
        if remedy.ignored:
            return [*lines, (f"    {self.label('ignored')}: {remedy.ignored}", None)]
        trace = record.result.unquoted_fbtrace_id(remedy) if record.result else None
        if trace:
            lines.append((f"    fbtrace_id: {trace}", None))
        if remedy.severity is Severity.INFO:  # a fact: what to do about it, without commands
            return [*lines, (f"    → {remedy.steps[0]}", None)] if remedy.steps else lines
        lines.append((f"    → {remedy.first_step}", None))
        lines.extend((line, None) for line in _copy(remedy))
        lines.extend((f"    {url}", None) for url in remedy.links[:1])
        return lines

    def _folded(self) -> list[Line]:
        """Per credential: how many checks passed and how many did not run, then each reason
        they did not run on a line of its own, counted (one long line of reasons is not read)."""
        lines: list[Line] = []
        for name, records in self._groups():
            passed = sum(1 for r in records if r.outcome is Outcome.PASSED)
            parts = [self._count("passed", passed)] if passed else []
            skipped = Counter(r.message for r in records if r.outcome is Outcome.SKIPPED)
            if skipped:
                parts.append(self._count("skipped", skipped.total()))
            if parts:
                lines.append((f"{name}: {' · '.join(parts)}", None))
            lines.extend((f"    {f'×{n}':>4} {reason}", None) for reason, n in skipped.items())
        return lines

    def _every_check(self) -> list[Line]:
        lines: list[Line] = []
        for name, records in self._groups():
            lines.append((name, None))
            for record in records:
                mark, colour = _OUTCOME_MARK[record.outcome]
                primary = record.result.primary if record.result else None
                text = f" — {primary.title} ({primary.id})" if primary else ""
                if record.outcome is Outcome.SKIPPED:
                    text = f" — {record.message}"
                lines.append((f"  [{mark}] {record.check_id}{text}", colour))
        return lines

    def _groups(self) -> list[tuple[str, list[CheckRecord]]]:
        by_credential = self.report.by_credential()
        names = [None] + [c.label for c in self.report.doctor.credentials]
        return [
            (self.report.name(name), by_credential[name])
            for name in names
            if by_credential.get(name)
        ]

    def _count(self, kind: str, n: int) -> str:
        """'1 correcta', '5 correctas': the label in the number's form."""
        return self.label(f"count_{kind}_{'one' if n == 1 else 'other'}").format(n=n)


def wrapped(line: str, width: int | None) -> list[str]:
    """``line`` cut at spaces to ``width`` columns (an interactive terminal cuts words in two
    and loses the indent), the pieces after the first indented two more; a word longer than
    the width (an id, a URL) stays whole."""
    indent = len(line) - len(line.lstrip(" "))
    if width is None or len(line) <= width:
        return [line]
    return textwrap.wrap(
        line.lstrip(" "),
        width,
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + 2),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [line]


def _by_severity(remedies: tuple[Remedy, ...]) -> list[Remedy]:
    order = list(Severity)
    return sorted(remedies, key=lambda r: order.index(r.severity))


def _copy(remedy: Remedy) -> list[str]:
    """The lines to copy as the summary prints them, indented under the finding."""
    return [f"      {line}" for line in _copyable(remedy).splitlines()]


def _copyable(remedy: Remedy) -> str:
    """What to copy, as the HTML shows it first: the procedures' commands, else the SQL of
    the first procedure that is not a folded alternative."""
    commands = [p.command for p in remedy.procedures if p.command]
    if commands:
        return "\n".join(f"$ {command}" for command in dict.fromkeys(commands))
    return next((p.sql for p in remedy.procedures if p.sql and not p.folded), "")
