"""The findings that point at a file, as SARIF 2.1.0 (``--wa-sarif PATH``): a token in a
tracked file or in a browser-public variable, a Graph version hard-coded in the CRM's code.

GitHub's code scanning (``github/codeql-action/upload-sarif``) and other SARIF viewers then
show them beside the line, with the remedy, and keep them open until a run no longer finds
them. A rule per finding id (its title, and its remedy as help), a result per place a finding
was seen, with its file and line (line 1 for a finding about a whole file: GitHub needs one).
Findings about Meta or the database point at no file; they are in report.html, not here. Every
text was redacted before it got here; the paths are redacted again, since a file name is
foreign text.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import __version__
from .catalog import Remedy
from .code_locations import Location, located
from .explain import format_remedy
from .files import write_atomically
from .findings import Severity
from .report import Report

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SECURITY_AREAS = ("exposure",)
"""Finding areas GitHub should rank as security alerts (a leaked token), not code quality."""


def log(report: Report) -> dict[str, Any]:
    """The SARIF log of a finished run: one run of one tool, its rules and results."""
    redact = report.doctor.redactor
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for record in report.worst_first():
        for found, remedy in zip(*_findings(record.result), strict=False):
            for where in located(found, report.doctor.config.app_folder):
                rules.setdefault(remedy.id, _rule(remedy, redact))
                results.append(_result(remedy, where, list(rules).index(remedy.id), redact))
    driver = {"name": "wa-doctor", "version": __version__, "rules": list(rules.values())}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }


def write(report: Report, path: Path) -> None:
    """Write the log, replacing a file; anything else at ``path`` (a device, a link to
    standard output) is refused, not replaced."""
    if path.exists() and not (path.is_file() and not path.is_symlink()):
        raise ValueError("not a regular file: give the path of a file to write")
    write_atomically(path, json.dumps(log(report), ensure_ascii=False, indent=2) + "\n")


def _findings(result: Any) -> tuple[tuple[Any, ...], tuple[Remedy, ...]]:
    return (result.findings, result.remedies) if result is not None else ((), ())


def _rule(remedy: Remedy, redact: Any) -> dict[str, Any]:
    area = remedy.id.partition(".")[0]
    help_text = format_remedy(dataclasses.replace(remedy, message=""), redact)
    return {
        "id": remedy.id,
        "shortDescription": {"text": redact(remedy.title)},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVELS[remedy.severity]},
        "properties": {"tags": [area, *(["security"] if area in SECURITY_AREAS else [])]},
    }


def _uri(path: str) -> str:
    """A path as a URI reference: relative ones percent-encoded (a space, a ``#``), absolute
    ones (a CRM folder outside the run's) as ``file://``."""
    return Path(path).as_uri() if Path(path).is_absolute() else quote(path)


def _result(remedy: Remedy, where: Location, index: int, redact: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": remedy.id,
        "ruleIndex": index,
        "level": LEVELS[remedy.severity],
        "message": {"text": redact(remedy.message or remedy.title)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(redact(where.path))},
                    "region": {"startLine": where.line or 1},
                }
            }
        ],
    }
    if remedy.ignored is not None:  # accepted by the user: shown as suppressed, not open
        result["suppressions"] = [{"kind": "external", "justification": redact(remedy.ignored)}]
    return result
