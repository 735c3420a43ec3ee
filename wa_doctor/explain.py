"""Explain a WhatsApp/Graph error from a log: the finding and its remedy, for any catalog code.

Support teams paste what the CRM logged. Two shapes exist (reference 1.1 and 1.2): the
synchronous Graph body ``{"error": {"code", "error_subcode", "error_data": {...}}}`` and the
webhook object ``{"code", "title", "message", "error_data": {"details"}}`` inside
``statuses[].errors[]`` (or a whole webhook payload). Both are found wherever they sit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import catalog as catalog_module
from .catalog import Remedy
from .doctor import base_context
from .findings import Finding
from .graph import as_int
from .redaction import Redactor
from .table import TableSpec

DEFAULT_TABLE = "crm.marketing_channel_credential"
_CODE = re.compile(r"\s*#?(\d+)(?:\s*[/:. ]\s*(\d+))?\s*")


@dataclass(frozen=True)
class ErrorFacts:
    """One error as logged: its code, subcode and Meta's words."""

    code: int
    subcode: int | None = None
    message: str = ""
    details: str = ""
    fbtrace_id: str = "—"


class ExplainError(ValueError):
    """The input holds no error code this command can read."""


_META_PREFIX = re.compile(r"\(#(\d+)\)")
"""Meta starts many messages with the code: ``(#131047) Re-engagement message``."""


def parse(text: str) -> list[ErrorFacts]:
    """Codes like ``131047`` or ``190/467``; JSON holding error objects of either shape, alone
    or inside a log line; or, failing those, Meta's ``(#131047)`` prefix in a message."""
    text = text.strip()
    if not text:
        raise ExplainError("nothing to explain: give an error code (131047, 190/467) or its JSON")
    match = _CODE.fullmatch(text)
    if match:
        return [ErrorFacts(int(match.group(1)), as_int(match.group(2)))]
    found = [facts for data in _json_values(text) for facts in _error_objects(data)]
    if found:
        return found
    prefixed = [ErrorFacts(int(code), message=text) for code in _META_PREFIX.findall(text)]
    if prefixed:
        return prefixed
    raise ExplainError(
        "no error code found: give a code (131047, 190/467), the error JSON, or a log line "
        "holding either"
    )


def _json_values(text: str) -> Iterator[Any]:
    """Every JSON object or list in ``text``: the whole of it, or embedded in a log line."""
    decoder = json.JSONDecoder()
    position = 0
    while position < len(text):
        start = min(
            (i for i in (text.find("{", position), text.find("[", position)) if i >= 0), default=-1
        )
        if start < 0:
            return
        try:
            value, end = decoder.raw_decode(text, start)
        except (json.JSONDecodeError, RecursionError):
            position = start + 1
            continue
        yield value
        position = end


def _error_objects(data: Any) -> Iterator[ErrorFacts]:
    if isinstance(data, dict):
        code = as_int(data.get("code"))
        if code is not None:
            yield _facts(code, data)
            return
        for value in data.values():
            yield from _error_objects(value)
    elif isinstance(data, list):
        for item in data:
            yield from _error_objects(item)


def _facts(code: int, error: dict[str, Any]) -> ErrorFacts:
    error_data = error.get("error_data")
    details = error_data.get("details") if isinstance(error_data, dict) else error_data
    return ErrorFacts(
        code=code,
        subcode=as_int(error.get("error_subcode", error.get("subcode"))),
        message=str(error.get("message") or error.get("title") or ""),
        details=str(details or ""),
        fbtrace_id=str(error.get("fbtrace_id") or "—"),
    )


def explain(facts: ErrorFacts, lang: str) -> Remedy:
    """The finding and remedy for one error, in ``lang``; unknown codes get the generic one."""
    catalog = catalog_module.load()
    finding_id = catalog.for_graph_error(facts.code, facts.subcode, facts.message) or "graph.error"
    where = f"code {facts.code}" + (f"/{facts.subcode}" if facts.subcode else "")
    detail = " — ".join(part for part in (where, facts.message, facts.details) if part)
    params = {
        "detail": detail,
        "meta_message": facts.message or where,
        "fbtrace_id": facts.fbtrace_id,
    }
    context = base_context(TableSpec.parse(DEFAULT_TABLE), catalog, lang)
    context["credential"] = catalog.label("this_credential", lang)
    # what a log line cannot tell (the phone number id, a token preview…) reads as "—"
    return catalog.render(Finding(finding_id, params), lang, context, missing="—")


def format_remedy(remedy: Remedy, redact: Redactor) -> str:
    """Plain text for a terminal or a ticket."""
    lines = [f"{remedy.title}  [{remedy.id}, {remedy.severity.value}]", remedy.message, ""]
    lines += [f"  {n}. {step}" for n, step in enumerate(remedy.steps, 1)]
    for procedure in remedy.procedures:
        lines += ["", f"  {procedure.title}"]
        lines += [f"    - {step}" for step in procedure.steps]
        if procedure.sql:
            lines += ["", *(f"      {line}" for line in procedure.sql.splitlines())]
    lines += [f"  {link}" for link in remedy.links]
    return redact("\n".join(lines))
