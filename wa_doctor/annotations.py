"""The findings as GitHub Actions annotations: one ``::error``/``::warning`` line each, shown on
the run's page and, with ``file=`` and ``line=``, beside the code it points at (a Graph version
hard-coded in a file, a token in a tracked file).

These are the only lines the doctor prints that a runner reads as commands, and it writes them
itself: every value in them is escaped as GitHub documents (``%``, line breaks, and in
properties ``:`` and ``,``), so foreign text inside can neither end the command nor start
another. Informational and accepted findings are not annotated.
"""

from __future__ import annotations

from .code_locations import located
from .findings import Severity
from .redaction import plain_text
from .report import Report

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning"}
_DATA = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_PROPERTY = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})


def lines(report: Report) -> list[str]:
    """One workflow command per finding that counts, worst first."""
    found = []
    for record in report.worst_first():
        if record.result is None:
            continue
        for finding, remedy in zip(record.result.findings, record.result.remedies, strict=False):
            command = COMMANDS.get(remedy.severity)
            if command is None or remedy.ignored is not None:
                continue
            where = report.name(record.credential)
            properties = [_text(f"title={remedy.title} ({remedy.id})", report, _PROPERTY)]
            # GitHub shows at most ten annotations of a kind per step: the first place each
            for place in located(finding, report.doctor.config.app_folder)[:1]:
                properties.append(f"file={_text(place.path, report, _PROPERTY)}")
                if place.line is not None:
                    properties.append(f"line={place.line}")
            message = _text(f"{where}: {remedy.message} → {remedy.first_action}", report, _DATA)
            found.append(f"::{command} {','.join(properties)}::{message}")
    return found


def _text(text: str, report: Report, escapes: dict[int, str]) -> str:
    """Foreign text (Meta's words, a file's name) in a command: redacted, without control
    characters or the older ``##[`` command form (the runner finds it anywhere), escaped."""
    return plain_text(report.doctor.redactor(text)).replace("##[", "# #[").translate(escapes)
