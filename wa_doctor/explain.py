"""Explain a WhatsApp/Graph error from a log: the finding and its remedy, for any catalog code.

Support teams paste what the CRM logged. Two shapes exist (reference 1.1 and 1.2): the
synchronous Graph body ``{"error": {"code", "error_subcode", "error_data": {...}}}`` and the
webhook object ``{"code", "title", "message", "error_data": {"details"}}`` inside
``statuses[].errors[]`` (or a whole webhook payload). Both are found wherever they sit.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import catalog as catalog_module
from . import node_objects, webhook_events
from .catalog import Remedy
from .doctor import base_context
from .errors import ExplainError
from .findings import Finding
from .graph import as_int, meta_details
from .redaction import Redactor, one_line, plain_text
from .table import TableSpec

DEFAULT_TABLE = "crm.marketing_channel_credential"
_CODE = re.compile(r"#?(\d{1,12})(?:\s*+[/:.]?\s*+(\d{1,12}))?")
"""``131047``, ``190/467``, ``190 467``: possessive spaces, so a long run of them that ends
in something else fails at once instead of being tried every way (the text is stripped)."""

MAX_INPUT = 1 << 20
"""Characters of input read: a day of a busy CRM's error log; the rest is left unread (and
the command says so), so that time and memory stay bounded whatever is pasted."""

MAX_DEPTH = 64
"""Levels of JSON searched for error objects: Meta's deepest (a webhook payload) has 7."""

QUOTED = 200
"""Characters of a log line kept as Meta's message, when the line is all there is."""


@dataclass(frozen=True)
class ErrorFacts:
    """One error as logged: its code, subcode and Meta's words."""

    code: int | None
    subcode: int | None = None
    message: str = ""
    details: str = ""
    fbtrace_id: str = "—"
    finding_id: str | None = None
    """Set for a webhook change that is bad news without a code (:mod:`.webhook_events`)."""
    params: tuple[tuple[str, str], ...] = ()
    """Values of the finding's own placeholders the input gave (a template's name)."""


_META_CODE = re.compile(r"\(#(\d{2,7})\)")
_LOGGED_CODE = re.compile(
    r"\b(?<!http )(?<!status )(?:error|code|c[oó]digo)\s*+:?\s*+#?(\d{2,7})\b"
    r"|^\s*+(\d{5,7})\s*+(?=[:—–-]\s)",
    re.IGNORECASE,
)
"""Where a log line names Meta's code: ``(#131047)`` first, else ``API error 131008:``,
``code 190`` (not ``http code 429``: that is a status) or a line that starts with one
(``131053: Media upload error — …``)."""
_LOG_PREFIX = re.compile(
    r"\s*+\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?\]?\s*+"
    r"(?:\[?(?:ERROR|WARN(?:ING)?|INFO|DEBUG|FATAL)\]?:?\s*+)?",
    re.IGNORECASE,
)
"""A log line's date and level (``2026-12-01T11:00:00Z``, ``[2026-12-01 11:00:00] ERROR``):
what comes after them is read as a line that starts there."""
_VALUE_END = re.compile(r"['\"],\s|['\"]?[,;]?\s*$")
"""Where a quoted value ends in a logged object (``'…', 'type': …``)."""

_META_PREFIX = re.compile(r"\s*+\(#\d{1,7}\)\s*+")
_DETAILS = re.compile(r"\s+-\s+Details:\s*|\s+[—–]\s+")
"""Where a logged title ends and Meta's details start: ``… - Details: …`` or a dash."""

LINE_KEPT = 2000
"""Characters of a log line looked at: a code comes at its start, a pasted body is JSON."""


def parse(text: str) -> list[ErrorFacts]:
    """Codes like ``131047`` or ``190/467``; JSON holding error objects or bad-news webhook
    changes, alone or inside a log line (Ruby's ``=>`` hashes too); or, failing those, log
    lines naming a code, with the title and details logged beside it. Each distinct error
    once, in the order first met (see :func:`distinct`)."""
    text = text[:MAX_INPUT].strip()
    if not text:
        raise ExplainError("nothing to explain: give an error code (131047, 190/467) or its JSON")
    match = _CODE.fullmatch(text)
    if match:
        return [ErrorFacts(int(match.group(1)), as_int(match.group(2)))]
    lines = text.split("\n")
    for reading in _json_readings(text):
        decoded = list(_json_spans(reading))
        found = [facts for _, _, data in decoded for facts in _error_objects(data)]
        if found:  # and the log lines around the JSON, each error in its place
            covered = _lines_of(reading, decoded)
            rest = [_logged(line[:LINE_KEPT]) for n, line in enumerate(lines) if n not in covered]
            return found + [facts for facts in rest if facts]
    logged = [facts for line in lines if (facts := _logged(line[:LINE_KEPT]))]
    if logged:
        return logged
    worded = [facts for line in lines if (facts := _worded(line))]
    if worded:  # Meta's details alone, as a CRM shows them
        return worded[:1]
    if "[Object]" in text or "[Array]" in text:
        raise ExplainError(
            "the object was printed cut short ([Object]): log it whole, with "
            "JSON.stringify(error, null, 2) or util.inspect(error, {depth: null})"
        )
    raise ExplainError(
        "no error code found: give a code (131047, 190/467), the error JSON, or a log line "
        "holding either"
    )


def _json_readings(text: str) -> Iterator[str]:
    """``text`` as JSON may be in it: as it is, then as a Rails log prints a Ruby hash
    (``=>``), then as Node prints an object (bare keys, single quotes)."""
    yield text
    if "=>" in text:
        yield text.replace("=>", ":")
    if node_objects.printed(text):
        converted = node_objects.as_json(text)
        yield converted
        yield node_objects.balanced(converted.strip())


def _lines_of(text: str, spans: list[tuple[int, int, Any]]) -> set[int]:
    """The numbers of the lines the decoded spans of ``text`` stand on."""
    starts = [0] + [match.end() for match in re.finditer("\n", text)]
    return {
        line
        for start, end, _ in spans
        for line in range(
            bisect.bisect_right(starts, start) - 1, bisect.bisect_right(starts, end - 1)
        )
    }


def _logged(line: str) -> ErrorFacts | None:
    """The error a log line names, with the title and details logged after its code."""
    prefix = _LOG_PREFIX.match(line)
    line = line[prefix.end() :] if prefix else line
    match = _META_CODE.search(line) or _LOGGED_CODE.search(line)
    if match is None:
        return None
    code = int(next(group for group in match.groups() if group))
    rest = line[match.end() :].lstrip(" :-—–)")
    prefix = _META_PREFIX.match(rest)
    parts = _DETAILS.split(rest[prefix.end() if prefix else 0 :], maxsplit=1)
    message, details = parts[0], parts[1] if len(parts) > 1 else ""
    return ErrorFacts(code, message=_value(message, QUOTED), details=_value(details))


def _value(logged: str, most: int = 5 * QUOTED) -> str:
    """A logged value up to where its quotes end, cut and redacted."""
    return _cut(_VALUE_END.split(logged, maxsplit=1)[0].strip(), most)


def _worded(line: str) -> ErrorFacts | None:
    """A line holding the words that identify one of Meta's errors without its code."""
    finding_id = catalog_module.load().for_graph_error(None, None, line)
    return (
        ErrorFacts(None, details=_cut(line.strip()), finding_id=finding_id) if finding_id else None
    )


def distinct(found: list[ErrorFacts]) -> list[tuple[ErrorFacts, int]]:
    """Each distinct error once (the first one met: its trace id), with how many times it was
    met: a pasted log repeats the same failure for every recipient."""
    seen: dict[tuple[int, int | None, str, str], tuple[ErrorFacts, int]] = {}
    for facts in found:
        key = (facts.code, facts.subcode, facts.message, facts.details)
        first, n = seen.get(key, (facts, 0))
        seen[key] = (first, n + 1)
    return list(seen.values())


_STRUCTURE = re.compile(r'[{}\[\]"\\]')


def _json_values(text: str) -> Iterator[Any]:
    return (value for _, _, value in _json_spans(text))


def _json_spans(text: str) -> Iterator[tuple[int, int, Any]]:
    """Every JSON object or list in ``text`` with where it stands (start, end): the whole of
    it, or embedded in log lines.

    One forward scan pairs the brackets (outside strings) into spans; each span that can start
    a JSON value is decoded on its own, outermost first, and the spans inside a decoded one are
    skipped. A span's decoding costs its length, and spans are tried only to
    :data:`MAX_DEPTH` levels, so the time is linear in the input whatever it holds: ten
    megabytes of ``{`` close no span at all."""
    decoded_to = -1
    for start, end in sorted(_bracket_spans(text)):
        if start < decoded_to or not _may_start_json(text, start, end):
            continue
        try:
            value = json.loads(text[start:end])
        except (ValueError, RecursionError):  # not JSON, or an int past Python's 4,300 digits
            continue
        yield start, end, value
        decoded_to = end


def _bracket_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each balanced ``{…}`` or ``[…]`` at most :data:`MAX_DEPTH` deep."""
    spans: list[tuple[int, int]] = []
    opened: list[int] = []
    in_string = False
    skip_to = -1
    for mark in _STRUCTURE.finditer(text):
        i, char = mark.start(), mark.group()
        if i < skip_to:
            continue
        if in_string:
            if char == "\\":
                skip_to = i + 2  # the escaped character
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = bool(opened)  # a quote in plain log text starts no string
        elif char in "{[":
            opened.append(i)
        elif char in "}]" and opened:
            start = opened.pop()
            if len(opened) < MAX_DEPTH:
                spans.append((start, i + 1))
    return spans


def _may_start_json(text: str, start: int, end: int) -> bool:
    """An object's first character inside is a quote or its end (``{'a': 1}`` is Python's)."""
    if text[start] == "[":
        return True
    inside = text[start + 1 : min(end, start + 64)].lstrip()
    return inside[:1] in ('"', "}")


def _error_objects(data: Any, depth: int = 0, owner: str | None = None) -> Iterator[ErrorFacts]:
    """Error objects of either shape, and webhook changes that are bad news without one;
    ``owner`` is the id of the webhook entry around them (the WABA)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(data, dict):
        code = as_int(data.get("code"))
        if code is not None:
            yield _facts(code, data)
            return
        event = webhook_events.read(data, owner)
        if event is not None:
            finding_id, said, params = event
            yield ErrorFacts(
                None,
                details=_cut(said),
                finding_id=finding_id,
                params=tuple((k, _cut(v, QUOTED)) for k, v in params.items()),
            )
        if "changes" in data and isinstance(data.get("id"), str | int):
            owner = plain_text(str(data["id"]))[:32]
        for value in data.values():
            yield from _error_objects(value, depth + 1, owner)
    elif isinstance(data, list):
        for item in data:
            yield from _error_objects(item, depth + 1, owner)


def webhook_changes(text: str) -> list[str]:
    """Each distinct change of the webhooks in ``text``, in a few words: for a webhook that
    :func:`parse` found no problem in (a ban lifted, a throughput upgrade), what it did hold."""
    for reading in _json_readings(text[:MAX_INPUT]):
        changes = list(dict.fromkeys(_changes(list(_json_values(reading)), 0)))
        if changes:
            return changes
    return []


def _changes(data: Any, depth: int) -> Iterator[str]:
    if depth > MAX_DEPTH:
        return
    if isinstance(data, dict):
        said = webhook_events.described(data)
        if said is not None:
            yield said
            return
        data = list(data.values())
    if isinstance(data, list):
        for item in data:
            yield from _changes(item, depth + 1)


def _cut(text: str, most: int = 5 * QUOTED) -> str:
    """Meta's words cut to ``most`` characters, redacted first: a cut through a token would
    leave a piece too short to be recognised as one."""
    text = _REDACT(text)
    return text[:most] + ("…" if len(text) > most else "")


_REDACT = Redactor()
"""Knows no secret of the user's: finds tokens by their shape, query secrets by their name."""


def _facts(code: int, error: dict[str, Any]) -> ErrorFacts:
    return ErrorFacts(
        code=code,
        subcode=as_int(error.get("error_subcode", error.get("subcode"))),
        message=_cut(str(error.get("message") or error.get("title") or "")),
        details=_cut(meta_details(error)),
        fbtrace_id=_cut(plain_text(str(error.get("fbtrace_id") or "—")), 64),
    )


def render_offline(found: Finding, lang: str) -> Remedy:
    """A finding made with no run behind it (a log line, a staged file), in ``lang``: the
    message says only what is known, the remedy names the values to put in."""
    catalog = catalog_module.load()
    return catalog.render(found, lang, _context(catalog, lang), offline=True)


def explain_finding(finding_id: str, lang: str) -> Remedy | None:
    """A finding id as the reports print it (``token.expired``), explained; None if unknown."""
    if finding_id not in catalog_module.load().ids:
        return None
    remedy = render_offline(Finding(finding_id), lang)
    # the message quotes what a run saw (Meta's words, a date): with no run, the remedy alone
    return dataclasses.replace(remedy, message="")


DETAIL_PARAMS = {
    132001: re.compile(
        r"template name \((?P<template>[^()\n]{1,200})\) does not exist in "
        r"(?P<language>[A-Za-z]{2,3}(?:_[A-Za-z]{2,4})?)"
    ),
}
"""Meta's details that name what a finding's message would fill in (132001: the template and
the language it was asked in), by code."""


def explain(facts: ErrorFacts, lang: str) -> Remedy:
    """The finding and remedy for one error, in ``lang``; unknown codes get the generic one.
    Meta's words are always in the message: the finding's own sentences come first, with
    only what the input tells (never a value left blank)."""
    catalog = catalog_module.load()
    finding_id = (
        facts.finding_id
        or catalog.for_graph_error(facts.code, facts.subcode, facts.message, facts.details)
        or "graph.error"
    )
    where = (
        f"code {facts.code}" + (f"/{facts.subcode}" if facts.subcode else "")
        if facts.code is not None
        else ""
    )
    detail = " — ".join(part for part in (where, facts.message, facts.details) if part)
    params = {
        **dict(facts.params),
        **_detail_params(facts),
        "detail": detail,
        **({"meta_message": m} if (m := facts.message or facts.details) else {}),
        **({"fbtrace_id": facts.fbtrace_id} if facts.fbtrace_id != "—" else {}),
    }
    remedy = render_offline(Finding(finding_id, params), lang)
    unsaid = [p for p in (where, facts.message, facts.details) if p and p not in remedy.message]
    if unsaid:  # Meta's words, each once: a message may quote some already
        remedy = dataclasses.replace(
            remedy, message=f"{remedy.message} {' — '.join(unsaid)}".strip()
        )
    if facts.fbtrace_id != "—" and facts.fbtrace_id not in remedy.message:
        remedy = dataclasses.replace(
            remedy, message=f"{remedy.message} (fbtrace_id {facts.fbtrace_id})"
        )
    return remedy


def _detail_params(facts: ErrorFacts) -> dict[str, str]:
    pattern = DETAIL_PARAMS.get(facts.code) if facts.code is not None else None
    match = pattern.search(facts.details) if pattern else None
    return match.groupdict() if match else {}


def _context(catalog: catalog_module.Catalog, lang: str) -> dict[str, Any]:
    """Placeholders for a remedy explained with no run behind it: the guide's table, and
    "this credential" for the one the user means."""
    context = base_context(TableSpec.parse(DEFAULT_TABLE), catalog, lang)
    context["credential"] = catalog.label("this_credential", lang)
    del context["fbtrace_id"]  # unknown unless the input has one: then the remedy names it
    return context


def format_remedy(remedy: Remedy, redact: Redactor) -> str:
    """Plain text for a terminal or a ticket; Meta's words never start a line."""
    title, message = one_line(remedy.title), one_line(remedy.message)
    lines = [
        f"{title}  [{remedy.id}, {remedy.severity.value}]",
        *([message] if message else []),
        "",
    ]
    lines += [f"  {n}. {one_line(step)}" for n, step in enumerate(remedy.steps, 1)]
    for procedure in remedy.procedures:
        lines += ["", f"  {one_line(procedure.title)}"]
        lines += [f"    - {one_line(step)}" for step in procedure.steps]
        if procedure.command:  # its steps say "run the command below": it must be below
            lines += ["", f"      $ {one_line(procedure.command)}"]
        if procedure.sql:
            lines += ["", *(f"      {line}" for line in procedure.sql.splitlines())]
    lines += [f"  {link}" for link in remedy.links]
    return redact("\n".join(lines))
