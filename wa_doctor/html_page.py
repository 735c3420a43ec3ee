"""The doctor's HTML, as a CRM admin reads it: the problem first, on one screen, without
JavaScript. Pure: records in, HTML out, no pytest.

:class:`HtmlPage` renders the static header put at the top of ``report.html``: the result in one
line, when and against what it ran, one status line per credential (flutter-doctor style), what
to fix (errors first, each finding once with the credentials it concerns, each shared procedure
printed once) and what was not checked and why. The cells and rows below are the doctor's
columns of pytest-html's results table. How they are put into pytest-html's page is
:mod:`.pytest_html_page`'s.

Everything here is built from records whose texts were already redacted, and escaped here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from . import __version__, history
from .catalog import Procedure, Remedy
from .findings import Outcome, Severity
from .markup import inline
from .report import CheckRecord, Report

_MARK = {Outcome.FAILED: "✗", Outcome.WARNING: "!", Outcome.PASSED: "✓", Outcome.SKIPPED: "–"}
_SEVERITY_CLASS = {Outcome.FAILED: "wa-error", Outcome.WARNING: "wa-warning"}


def anchor(finding_id: str) -> str:
    """The id of a finding's section, for links from the status lines and the table."""
    return "wa-" + re.sub(r"[^a-z0-9_-]", "-", finding_id.lower())


@dataclass
class _Printed:
    """Procedures already explained on this page: a shared one is explained once; later it is a
    one-line reference, with only what differs (a credential's own command or SQL)."""

    anchors: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)
    blocks: set[str] = field(default_factory=set)

    def procedure(self, report: Report, procedure: Procedure) -> str:
        key = (procedure.title, procedure.steps)
        fresh = [t for t in (procedure.command, procedure.sql) if t and t not in self.blocks]
        self.blocks.update(fresh)
        if key in self.anchors:
            return (
                f"<p class='wa-ref'><b>{inline(procedure.title)}</b> → "
                f"<a href='#{self.anchors[key]}'>{escape(report.label('see_above'))}</a></p>"
                + "".join(code_block(report, text) for text in fresh)
            )
        name = f"wa-procedure-{len(self.anchors) + 1}"
        self.anchors[key] = name
        steps = "".join(f"<li>{inline(step)}</li>" for step in procedure.steps)
        body = f"<ol>{steps}</ol>" + "".join(code_block(report, text) for text in fresh)
        if procedure.folded:
            return (
                f"<details class='wa-alternative' id='{name}'><summary>"
                f"{inline(procedure.title)}</summary>{body}</details>"
            )
        return f"<h4 id='{name}'>{inline(procedure.title)}</h4>{body}"


def _with_trace(message: str, trace: str | None) -> str:
    """A message with Meta's trace id, which Meta support asks for."""
    return f"{message} (fbtrace_id `{trace}`)" if trace else message


def code_block(report: Report, text: str) -> str:
    """A block that is easy to select; its copy button appears only where JavaScript runs."""
    return (
        f"<div class='wa-code'><button type='button' class='wa-copy' hidden>"
        f"{escape(report.label('copy'))}</button><pre><code>{escape(text)}</code></pre></div>"
    )


@dataclass
class _Group:
    """One finding as the page shows it: the records (credentials) that share its remedy."""

    remedy: Remedy
    records: list[CheckRecord]


def steps_html(report: Report, group: _Group, printed: _Printed) -> str:
    """The group's steps, then each procedure: once when the credentials share it, else its
    title and steps once with each credential's own SQL or command (a row's UPDATE)."""
    remedy = group.remedy
    steps = "".join(f"<li>{inline(step)}</li>" for step in remedy.steps)
    parts = [f"<ol class='wa-steps'>{steps}</ol>" if steps else ""]
    for n, procedure in enumerate(remedy.procedures):
        variants = {r.credential: r.result.primary.procedures[n] for r in group.records}  # type: ignore[union-attr]
        if len(set(variants.values())) == 1:
            parts.append(printed.procedure(report, procedure))
            continue
        body = f"<ol>{''.join(f'<li>{inline(s)}</li>' for s in procedure.steps)}</ol>"
        for credential, own in variants.items():
            blocks = "".join(code_block(report, t) for t in (own.command, own.sql) if t)
            body += f"<p class='wa-for'>{escape(report.name(credential))}</p>{blocks}"
        title = inline(procedure.title)
        parts.append(
            f"<details class='wa-alternative'><summary>{title}</summary>{body}</details>"
            if procedure.folded
            else f"<h4>{title}</h4>{body}"
        )
    if remedy.links:
        links = "".join(f"<li>{inline(url)}</li>" for url in remedy.links)
        parts.append(f"<ul class='wa-links'>{links}</ul>")
    return "".join(parts)


def _now(values: list[float | None]) -> str:
    """This run's value (the last), "—" when it has none."""
    return f"{values[-1]:g}" if values and values[-1] is not None else "—"


def _impact(records: list[CheckRecord]) -> int:
    """0 with an error, 1 with a warning, 2 otherwise: the order a reader acts in."""
    outcomes = {r.outcome for r in records}
    return 0 if Outcome.FAILED in outcomes else 1 if Outcome.WARNING in outcomes else 2


class HtmlPage:
    """The doctor's part of ``report.html`` for one finished run."""

    def __init__(self, report: Report, exit_status: int, now: datetime | None = None) -> None:
        self.report = report
        self.exit_status = exit_status
        self.now = (now or datetime.now()).astimezone()

    @property
    def lang(self) -> str:
        return self.report.doctor.lang

    def label(self, key: str) -> str:
        return self.report.label(key)

    def result_line(self) -> str:
        return self.report.result_line()

    def title(self) -> str:
        simulated = f" · {self.label('simulated_short')}" if self.report.simulated else ""
        return f"{self.result_line()}{simulated} · {self.label('report_title')}"

    # -- the header -----------------------------------------------------------------------
    def header(self) -> str:
        counts = self.report.counts()
        state = "wa-bad" if counts["failed"] else ("wa-warn" if counts["warnings"] else "wa-good")
        if not self.report.records:
            state = "wa-warn"
        config = self.report.doctor.config
        when = f"{self.label('generated')} {self.now:%Y-%m-%d %H:%M:%S %Z (UTC%z)}"
        technical = " · ".join(  # for support, not the admin's first screen
            escape(part)
            for part in (
                f"wa-doctor {__version__}",
                f"Graph API {self.report.doctor.redactor(config.graph_url)} {config.api_version}",
                self.label("language_name"),
                f"{self.label('exit_status')} {self.exit_status}",
            )
        )
        return (
            f"<header id='wa-header' class='wa-page'>"
            f"<h1>{escape(self.label('report_title'))}</h1>"
            f"<p class='wa-result {state}' id='wa-result'>{escape(self.result_line())}</p>"
            f"{self._simulated()}{self._changes()}"
            f"<p class='wa-meta'>{escape(when)}</p>"
            f"{self._status_lines()}{self._trend()}{self._findings()}{self._not_checked()}"
            f"{self._credentials_table()}<p class='wa-meta wa-technical'>{technical}</p></header>"
        )

    def _changes(self) -> str:
        """What changed since the baseline, new problems first, when there is one."""
        line = self.report.changes_line()
        if line is None:
            return ""
        items = "".join(
            f"<li class='wa-{kind.replace('_', '-')}'><b>{escape(self.label(kind))}</b> "
            f"{escape(item)}</li>"
            for kind, item in self.report.change_items()
        )
        return (
            f"<div class='wa-changes' id='wa-changes'><p>{escape(line)}</p><ul>{items}</ul></div>"
        )

    def _trend(self) -> str:
        """Each credential over the last runs (from two on): its problems, and the days left
        until its token expires, as small charts."""
        runs = self.report.history
        if len(runs) < 2:
            return ""
        rows = []
        for key, entry in runs[-1]["credentials"].items():
            charts = [
                (self.label(f"trend_{value}"), history.series(runs, key, value))
                for value in ("problems", "days_left")
            ]
            cells = "".join(
                f"<td>{history.sparkline(values, f'{label}: {_now(values)}')} "
                f"<span class='wa-trend-now'>{escape(label)}: {escape(_now(values))}</span></td>"
                for label, values in charts
                if any(v is not None for v in values)
            )
            rows.append(f"<tr><th>{escape(str(entry.get('label') or key))}</th>{cells}</tr>")
        heading = self.label("trend_heading").format(n=len(runs))
        return (
            f"<section class='wa-trend'><h2>{escape(heading)}</h2><div class='wa-scroll'>"
            f"<table>{''.join(rows)}</table></div></section>"
        )

    def _simulated(self) -> str:
        line = self.report.simulated_line()
        return f"<p class='wa-simulated' id='wa-simulated'>{escape(line)}</p>" if line else ""

    def _status_lines(self) -> str:
        """One line per credential and one for the shared setup, the ones with errors first,
        then warnings, then the rest: each names its problems, worst first, and the first thing
        to do, linked to the remedy. A line without problems counts its checks, so the lines
        add up to the results table's "passed" (one set of numbers on the page)."""
        groups: list[tuple[str, list[CheckRecord]]] = []
        by_credential = self.report.by_credential()
        if shared := by_credential.get(None, []):
            groups.append((self.report.name(None), shared))
        for credential in self.report.doctor.credentials:
            label = credential.label
            groups.append((self.report.name(label), by_credential.get(label, [])))
        groups.sort(key=lambda group: _impact(group[1]))  # stable: run order within a rank
        items = "".join(self._status_line(name, records) for name, records in groups)
        return (
            f"<section class='wa-status'><h2>{escape(self.label('credentials_heading'))}</h2>"
            f"<ul>{items}</ul></section>"
        )

    def _status_line(self, name: str, records: list[CheckRecord]) -> str:
        problems = list(
            {
                r.result.primary.id: r
                for outcome in (Outcome.FAILED, Outcome.WARNING)
                for r in records
                if r.outcome is outcome and r.result and r.result.primary
            }.values()
        )
        if not problems:
            ran = sum(1 for r in records if r.outcome is not Outcome.SKIPPED)
            if not ran:  # no check ran for it: nothing to call correct
                return (
                    f"<li class='wa-none'><span class='wa-mark'>–</span> <b>{escape(name)}</b> · "
                    f"{escape(self.label('credential_not_checked'))}</li>"
                )
            count = self._checks(ran)
            return (
                f"<li class='wa-ok'><span class='wa-mark'>✓</span> <b>{escape(name)}</b> · "
                f"{escape(self.label('all_passed'))} ({escape(count)})</li>"
            )
        worst = problems[0]
        primary = worst.result.primary if worst.result else None
        assert primary is not None
        others = "".join(
            f" · {_MARK[r.outcome]} <a href='#{anchor(p.id)}'>{escape(p.title)}</a> "
            f"<code class='wa-fid'>{escape(p.id)}</code>"
            for r in problems[1:]
            if r.result and (p := r.result.primary)
        )
        return (
            f"<li class='{_SEVERITY_CLASS[worst.outcome]}'>"
            f"<span class='wa-mark'>{_MARK[worst.outcome]}</span> <b>{escape(name)}</b> · "
            f"<a href='#{anchor(primary.id)}'>{escape(primary.title)}</a> "
            f"<code class='wa-fid'>{escape(primary.id)}</code> · "
            f"{escape(self.label('first_action'))}: {inline(primary.first_step)}{others}</li>"
        )

    def _checks(self, n: int) -> str:
        return self.label(f"checks_count_{'one' if n == 1 else 'other'}").format(n=n)

    def groups(self) -> list[_Group]:
        """Findings to fix, errors first, then warnings and facts; one group per finding whose
        remedy is the same for several credentials."""
        groups: dict[tuple[object, ...], _Group] = {}
        for record in self.report.worst_first():
            remedy = record.result.primary  # type: ignore[union-attr]
            key = (remedy.id, remedy.steps, tuple(p.title for p in remedy.procedures))
            groups.setdefault(key, _Group(remedy, [])).records.append(record)
        return list(groups.values())

    def _findings(self) -> str:
        groups = self.groups()
        if not groups:
            return ""
        printed = _Printed()
        seen_anchors: set[str] = set()
        sections = []
        for group in groups:
            remedy = group.remedy
            kind = remedy.severity.value
            name = anchor(remedy.id)
            id_attr = f" id='{name}'" if name not in seen_anchors else ""
            seen_anchors.add(name)
            who = [r.credential for r in group.records if r.credential]
            concerns = (
                f"<p class='wa-concerns'>{escape(self.label('concerns'))}: "
                f"{escape(', '.join(dict.fromkeys(map(self.report.name, who))))}</p>"
                if who
                else ""
            )
            said: dict[str, str | None] = {}  # each message once, with who said it first
            for r in group.records:
                if r.result and (primary := r.result.primary):
                    message = _with_trace(primary.message, r.result.unquoted_fbtrace_id())
                    said.setdefault(message, r.credential)
            messages = list(said.items())
            text = (
                f"<p>{inline(*messages[0])}</p>"
                if len(messages) == 1
                else "<ul>" + "".join(f"<li>{inline(*m)}</li>" for m in messages) + "</ul>"
            )
            if remedy.ignored:
                kind = "ignored"
                concerns += (
                    f"<p class='wa-ignored-note'>{escape(self.label('ignored'))}: "
                    f"{inline(remedy.ignored)}</p>"
                )
            sections.append(
                f"<section class='wa-finding wa-{kind}'{id_attr} "
                f"data-finding='{escape(remedy.id)}'>"
                f"<h3>{escape(remedy.title)} <code class='wa-fid'>{escape(remedy.id)}</code> "
                f"<span class='wa-badge'>{escape(self.label(kind))}</span></h3>"
                f"{concerns}{text}{steps_html(self.report, group, printed)}</section>"
            )
        to_fix = any(
            g.remedy.severity is not Severity.INFO and not g.remedy.ignored for g in groups
        )  # a healthy run's facts (its messaging limit) are nothing "to fix"
        heading = self.label("problems_heading" if to_fix else "facts_heading")
        return (
            f"<section class='wa-findings' id='wa-diagnosis'>"
            f"<h2>{escape(heading)}</h2>{''.join(sections)}</section>"
        )

    def _not_checked(self) -> str:
        """Skipped checks grouped by their reason: what was not looked at, and why."""
        by_reason: dict[str, list[CheckRecord]] = {}
        for record in self.report.records:
            if record.outcome is Outcome.SKIPPED:
                by_reason.setdefault(record.message, []).append(record)
        if not by_reason:
            return ""
        catalog = self.report.doctor.catalog

        def titles(records: list[CheckRecord]) -> str:
            names = dict.fromkeys(catalog.check_title(r.check_id, self.lang) for r in records)
            return escape(", ".join(names))

        items = "".join(
            f"<li><b>{inline(reason)}</b> — {escape(self._checks(len(records)))}: "
            f"{titles(records)}</li>"
            for reason, records in by_reason.items()
        )
        total = sum(len(records) for records in by_reason.values())
        why = self.label("not_checked_why").format(checks=self._checks(total))
        return (  # a line a person reads; the reasons, in the command line's words, folded
            f"<section class='wa-not-checked'><h2>{escape(self.label('not_checked'))}</h2>"
            f"<details><summary>{escape(why)}</summary><ul>{items}</ul></details></section>"
        )

    def _credentials_table(self) -> str:
        source = self.report.doctor.catalog.source
        rows = "".join(
            f"<tr><td>{escape(self.report.name(c.label))}</td>"
            f"<td>{escape(source(c.source, self.lang))}</td>"
            f"<td><code>{escape(c.token_preview)}</code> "
            f"({escape(source(c.token_source, self.lang))})</td>"
            f"<td class='wa-id'>{escape(c.phone_number_id or '—')}</td></tr>"
            for c in self.report.doctor.credentials
        )
        heads = "".join(
            f"<th>{escape(self.label(key))}</th>"
            for key in ("credential", "source", "token", "phone_number_id")
        )
        return (
            f"<details class='wa-credentials'><summary>{escape(self.label('credentials_heading'))}"
            f" ({len(self.report.doctor.credentials)})</summary><div class='wa-scroll'>"
            f"<table><tr>{heads}</tr>{rows}</table></div></details>"
        )


def result_cell(report: Report, record: CheckRecord | None, cell: str) -> str:
    """The Result column in the doctor's words, a warning shown as a warning.

    pytest-html reads the cell's text back as the row's result, which its filters and sorting
    compare with 'Passed', 'Failed'…: so the text stays, and the stylesheet shows the word in
    ``data-label`` in its place."""
    if record is None:
        return cell
    outcome = re.search(r"<td[^>]*>(.*?)</td>", cell)
    extra = " wa-warning-result" if record.outcome is Outcome.WARNING else ""
    return (
        f'<td class="col-result wa-result-cell{extra}" '
        f'data-label="{escape(report.label(f"outcome_{record.outcome.value}"))}">'
        f"{outcome.group(1) if outcome else ''}</td>"
    )


def check_cell(report: Report, record: CheckRecord | None, nodeid: str) -> str:
    """The check's title above its node id (the text stays the node id: pytest-html makes it
    the row's id and sorts by it)."""
    if record is None:
        return f'<td class="col-testId">{escape(nodeid)}</td>'
    title = report.doctor.catalog.check_title(record.check_id, report.doctor.lang)
    return f'<td class="col-testId wa-check" data-title="{escape(title)}">{escape(nodeid)}</td>'


def remedy_cell(record: CheckRecord | None) -> str:
    """The Remedy column: the finding's title, linked to its remedy in the header.

    pytest-html needs exactly one cell per header, so every row gets one, even collect errors.
    """
    primary = record.result.primary if record and record.result else None
    if primary is None:
        return '<td class="col-remedy"></td>'
    return (
        f'<td class="col-remedy"><a href="#{anchor(primary.id)}">{escape(primary.title)}</a></td>'
    )


def rows_html(report: Report, records: list[CheckRecord]) -> str:
    """What a check's expanded row shows: for each credential with something to say, the
    message or the reason and a link to the remedy (printed once, in the header); how many
    passed silently, when some did not."""
    named = len(records) > 1
    said = [html for record in records if (html := _row_html(report, record, named))]
    quiet = len(records) - len(said)
    if said and quiet:
        said.append(f"<p>{escape(report.label('rows_passed').format(n=quiet))}</p>")
    return f"<div class='wa-row'>{''.join(said)}</div>" if said else ""


def _row_html(report: Report, record: CheckRecord, named: bool) -> str:
    primary = record.result.primary if record.result else None
    if not record.message and primary is None:
        return ""
    label = record.credential
    who = f"<b class='wa-id'>{escape(label)}</b> " if named and label else ""
    text = f"<p>{who}{inline(record.message, label)}</p>" if record.message else ""
    if primary is not None and primary.message and primary.message not in record.message:
        text += f"<p>{inline(primary.message, label)}</p>"
    if primary is not None and record.outcome is not Outcome.PASSED:
        text += (
            f"<p><a href='#{anchor(primary.id)}'>{escape(report.label('see_finding'))}: "
            f"{escape(primary.title)}</a></p>"
        )
    return text
