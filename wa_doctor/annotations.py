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
            where = record.credential or report.label("shared_setup")
            properties = [f"title={remedy.title} ({remedy.id})".translate(_PROPERTY)]
            where_in_code = located(finding, report.doctor.config.app_folder)
            if where_in_code is not None:
                properties.append(f"file={where_in_code.path.translate(_PROPERTY)}")
                if where_in_code.line is not None:
                    properties.append(f"line={where_in_code.line}")
            message = f"{where}: {remedy.message} → {remedy.first_step}".translate(_DATA)
            found.append(f"::{command} {','.join(properties)}::{message}")
    return found
