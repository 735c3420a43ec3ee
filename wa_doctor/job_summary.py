"""The diagnosis as a GitHub Actions job summary (Markdown in ``$GITHUB_STEP_SUMMARY``): the
result first, what changed since the baseline, then one table row per finding with its first
step. A failed check then shows its reason on the run's page, not only in a log or an artifact.

GitHub renders the summary as Markdown with HTML, so every text is escaped here: Meta's words
and a database's values are foreign, and a summary must not become a way in (a ``<script>``,
a link, a table broken by ``|``). The texts were redacted before they got here.
"""

from __future__ import annotations

from .findings import Severity
from .report import Report

_MARK = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "i"}
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "|": "&#124;",
        "`": "&#96;",
        "*": "&#42;",
        "_": "&#95;",
        "[": "&#91;",
        "]": "&#93;",
        "\\": "&#92;",
        "\n": " ",
        "\r": " ",
        "@": "&#64;",
        "#": "&#35;",
    }
)
MAX_ROWS = 200
"""Findings in the table: GitHub refuses a job summary over 1 MiB; report.html has them all."""


def text(value: str) -> str:
    """Foreign text as Markdown shows it literally, on one line, and never as a link (GitHub
    links a bare ``https://…``, ``www.…``, an e-mail address or ``#1`` by itself)."""
    return value.translate(_ESCAPES).replace("://", ":&#47;&#47;").replace("www.", "www&#46;")


def markdown(report: Report) -> str:
    """The job summary of a finished run."""
    label = report.label
    lines = [f"## {text(label('report_title'))}", "", f"**{text(report.result_line())}**", ""]
    simulated = report.simulated_line()
    if simulated:
        lines += [f"> {text(simulated)}", ""]
    changes = report.changes_line()
    if changes:
        lines += [text(changes), ""]
        lines += [f"- **{text(label(kind))}** {text(item)}" for kind, item in report.change_items()]
        lines.append("")
    rows = [
        f"| {_MARK[remedy.severity]} | {text(report.name(record.credential))} "
        f"| `{remedy.id}` {text(remedy.title)} | {text(remedy.first_action)} |"
        for record in report.worst_first()
        for remedy in (record.result.remedies if record.result else ())
        if remedy.ignored is None
    ]
    if len(rows) > MAX_ROWS:
        more = report.doctor.catalog.number(len(rows) - MAX_ROWS, report.doctor.lang)
        rows = [*rows[:MAX_ROWS], f"| | | {text(label('changes_more').format(n=more))} | |"]
    if rows:
        heads = (label("credential"), label("diagnosis"), label("first_action"))
        lines += ["| | " + " | ".join(map(text, heads)) + " |", "|---|---|---|---|", *rows, ""]
    return "\n".join(lines) + "\n"
