"""The catalog of findings and remedies, loaded from ``catalog.toml`` and each area's
``checks/<area>.toml``.

The catalog is data, not code: each finding id has a severity, the Graph error codes it stands
for, links, and per language a title, a message and remedy steps. Remedies share *procedures*
(the guides' quick fix, the permanent System User token, the narrowed UPDATE …) so a procedure is
written once and every finding that needs it names it.

Texts are ``str.format`` templates. Placeholders come from the finding's parameters and from
the credential's context (table, columns, row filter); a placeholder nobody filled is left
visible as ``{name}`` rather than raising, so a missing parameter never hides a remedy.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from .findings import Count, Finding, Severity
from .toml_cache import parse_all
from .user_cache import user_cache

DEFAULT_LANGUAGE = "es"
_API_VERSION = re.compile(r"v(\d+)\.\d+")
_SOURCE_WORD = re.compile(r"\b(?:default|simulator|option|environment|database|row)\b")


class _Leave(dict):
    """format_map mapping for unknown placeholders: left as they are, or, with no run behind
    the text, written as a value to put in (``<PHONE_NUMBER_ID>``, as Meta's own docs do)."""

    offline = False

    def __missing__(self, key: str) -> str:
        return f"<{key.upper()}>" if self.offline else "{" + key + "}"


def fill(template: str, values: Mapping[str, Any], offline: bool = False) -> str:
    """Fill ``template`` from ``values``; unknown placeholders stay visible, or, ``offline``
    (``wa-doctor explain``: no run filled them), read as the value to put in."""
    mapping = _Leave(values)
    mapping.offline = offline
    try:
        return template.format_map(mapping)
    except (ValueError, IndexError):  # a stray brace in Meta's text, for instance
        return template


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def fill_known(template: str, values: Mapping[str, Any]) -> str:
    """``template`` filled, without the sentences that name a value nobody gave: a message
    explained with no run behind it says what it knows, and never "number — has status —"."""
    kept = [
        sentence
        for sentence in _SENTENCE_END.split(template)
        if all(name in values for name in _placeholders(sentence))
    ]
    return fill(" ".join(kept), values)


def _placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return set()


@dataclass(frozen=True)
class Procedure:
    """A named, reusable part of a remedy: a heading, its steps and optionally SQL."""

    title: str
    steps: tuple[str, ...]
    sql: str | None = None
    command: str | None = None
    """A shell command to copy (``wa-doctor renew-token …``), shown as a block like SQL."""
    folded: bool = False
    """An alternative (the hand-written SQL): folded away in the HTML report."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "steps": list(self.steps),
            "sql": self.sql,
            "command": self.command,
            "folded": self.folded,
        }


@dataclass(frozen=True)
class Remedy:
    """A finding as the user reads it: what is wrong and what to do, in one language."""

    id: str
    severity: Severity
    title: str
    message: str
    steps: tuple[str, ...]
    procedures: tuple[Procedure, ...]
    links: tuple[str, ...]
    ignored: str | None = None
    """Why the user accepted this finding (``ignore`` in wa-doctor.toml, ``--wa-ignore``): it is
    still shown, and fails nothing."""

    @property
    def first_step(self) -> str:
        """The one-line remedy shown in tables and summaries."""
        if self.steps:
            return self.steps[0]
        return self.procedures[0].title if self.procedures else ""

    @property
    def first_action(self) -> str:
        """The first step with the command it speaks of, for outputs of one line (a job summary
        row, an annotation): "with the command below" needs its command beside it there."""
        command = next((p.command for p in self.procedures if p.command), None)
        return f"{self.first_step} $ {command}" if command else self.first_step

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "severity": self.severity.value,
            "steps": list(self.steps),
            "procedures": [p.to_dict() for p in self.procedures],
            "links": list(self.links),
            "ignored": self.ignored,
        }


@dataclass(frozen=True)
class ApiVersion:
    """One Graph API version and the last day Meta serves it (None: not announced)."""

    name: str
    released: date
    available_until: date | None


class Catalog:
    """Lookup and rendering of findings; one instance per process is enough (:func:`load`)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._findings: Mapping[str, Mapping[str, Any]] = data["findings"]
        self._procedures: Mapping[str, Mapping[str, Any]] = data.get("procedures", {})
        self._terms: Mapping[str, Mapping[str, str]] = data.get("terms", {})
        self._labels: Mapping[str, Mapping[str, str]] = data.get("labels", {})
        self._checks: Mapping[str, Mapping[str, str]] = data.get("checks", {})
        self._sources: Mapping[str, Mapping[str, str]] = data.get("sources", {})
        self.api_versions: tuple[ApiVersion, ...] = tuple(
            ApiVersion(name, spec["released"], spec.get("available_until"))
            for name, spec in data.get("api_versions", {}).items()
        )

    # -- Graph API versions -----------------------------------------------------------------
    def api_version(self, name: str) -> ApiVersion | None:
        return next((v for v in self.api_versions if v.name == name), None)

    def _major(self, name: str) -> int | None:
        match = _API_VERSION.fullmatch(name)
        return int(match.group(1)) if match else None

    def is_future_api_version(self, name: str) -> bool:
        """A well-formed version newer than the table: Meta released it after this tool."""
        major = self._major(name)
        newest = max(self._major(v.name) or 0 for v in self.api_versions)
        return major is not None and major > newest

    def is_retired_api_version(self, name: str) -> bool:
        """A well-formed version older than the table (v17.0): real, and long retired."""
        major = self._major(name)
        oldest = min(self._major(v.name) or 0 for v in self.api_versions)
        return major is not None and major < oldest

    def api_version_served(self, name: str, today: date) -> bool:
        entry = self.api_version(name)
        if entry is None:
            return self.is_future_api_version(name)
        return entry.available_until is None or entry.available_until >= today

    # -- lookup ---------------------------------------------------------------------------
    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._findings)

    def __contains__(self, finding_id: object) -> bool:
        return finding_id in self._findings

    def severity(self, finding_id: str) -> Severity:
        return Severity(self._entry(finding_id)["severity"])

    def graph_codes(self, finding_id: str) -> tuple[tuple[int, int | None], ...]:
        """The (code, subcode) pairs a finding stands for; subcode None means 'any'."""
        pairs = self._entry(finding_id).get("graph", [])
        return tuple((pair[0], pair[1] if len(pair) > 1 else None) for pair in pairs)

    def for_graph_error(
        self, code: int | None, subcode: int | None = None, message: str = "", details: str = ""
    ) -> str | None:
        """The finding for a Graph error: one its exact code and subcode stand for (100/2593002:
        a template not found, whatever generic words come with it), else one whose
        ``graph_message`` occurs in Meta's message or details (errors that share a generic code,
        like 100, whose details say what happened), else by the code alone, then a range."""
        if code is not None and subcode is not None:
            for finding_id, entry in self._findings.items():
                if [code, subcode] in entry.get("graph", []):
                    return finding_id
        text = f"{message} {details}".lower()
        for finding_id, entry in self._findings.items():
            if any(part.lower() in text for part in entry.get("graph_message", ())):
                return finding_id
        if code is None:
            return None
        code_only = ranged = None
        for finding_id, entry in self._findings.items():
            for pair in entry.get("graph", []):
                if pair[0] == code and len(pair) == 1:
                    code_only = code_only or finding_id
            low_high = entry.get("graph_range")
            if low_high and low_high[0] <= code <= low_high[1]:
                ranged = ranged or finding_id
        return code_only or ranged

    def label(self, key: str, lang: str) -> str:
        """A fixed word of the interface (column names, headings) in ``lang``."""
        return self._labels.get(lang, {}).get(key) or self._labels[DEFAULT_LANGUAGE].get(key, key)

    def number(self, value: int, lang: str) -> str:
        """A count written as ``lang`` writes it: "2.000" in Spanish, "2,000" in English."""
        return f"{value:,}".replace(",", self.label("thousands_separator", lang))

    def label_keys(self, lang: str) -> frozenset[str]:
        return frozenset(self._labels.get(lang, {}))

    def check_title(self, check_id: str, lang: str) -> str:
        """What a check looks at, in words (its id when the catalog has no title for it)."""
        return self._checks.get(lang, {}).get(check_id) or check_id

    def source(self, text: str, lang: str) -> str:
        """Where a value came from, in ``lang``: "database crm.t row 3" → "base de datos crm.t
        fila 3" (sources are built from these words by the config and credential modules)."""
        words = self._sources.get(lang, {})
        if not words:
            return text
        return _SOURCE_WORD.sub(lambda m: words.get(m.group(0), m.group(0)), text)

    def term(self, key: str, lang: str) -> str:
        return self._terms.get(lang, {}).get(key) or key

    # -- rendering ------------------------------------------------------------------------
    def render(
        self,
        found: Finding,
        lang: str,
        context: Mapping[str, Any] | None = None,
        offline: bool = False,
    ) -> Remedy:
        """The finding's title, message and remedy in ``lang``, placeholders filled. Those no
        parameter fills stay visible, or, ``offline`` (no run behind it), the message leaves
        their sentences out and the remedy names the value to put in."""
        entry = self._entry(found.id)
        values = {**(context or {}), **self._translated(found.params, lang)}
        for key, value in values.items():
            if key.endswith("source") and isinstance(value, str):
                values[key] = self.source(value, lang)
        text = self._text(entry, lang)
        procedures = tuple(
            sorted(
                (self._procedure(name, lang, values, offline) for name in entry["procedures"]),
                key=lambda procedure: (procedure.folded, procedure.command is None),
            )
            if "procedures" in entry
            else ()
        )  # one order everywhere: the command to run first, folded alternatives last
        return Remedy(
            id=found.id,
            severity=Severity(entry["severity"]),
            title=fill(text["title"], values, offline),
            message=(fill_known if offline else fill)(text.get("message", ""), values),
            steps=tuple(fill(step, values, offline) for step in text.get("steps", [])),
            procedures=procedures,
            links=tuple(entry.get("links", [])),
        )

    def _translated(self, params: Mapping[str, Any], lang: str) -> dict[str, Any]:
        """List parameters are term keys: translate and join them for the message."""
        out: dict[str, Any] = {}
        for key, value in params.items():
            if isinstance(value, list | tuple):
                out[key] = ", ".join(self.term(str(item), lang) for item in value)
            elif isinstance(value, Count):
                out[key] = self.number(value, lang)
            else:
                out[key] = value
        return out

    def _procedure(
        self, name: str, lang: str, values: Mapping[str, Any], offline: bool = False
    ) -> Procedure:
        spec = self._procedures[name]
        text = self._text(spec, lang)
        sql = text.get("sql", spec.get("sql"))  # a language may have its own (placeholders)
        command = spec.get("command")
        return Procedure(
            title=fill(text["title"], values, offline),
            steps=tuple(fill(step, values, offline) for step in text.get("steps", [])),
            sql=fill(sql, values, offline).strip() if sql else None,
            command=fill(command, values, offline).strip() if command else None,
            folded=bool(spec.get("folded", False)),
        )

    def _entry(self, finding_id: str) -> Mapping[str, Any]:
        try:
            return self._findings[finding_id]
        except KeyError:
            raise KeyError(f"finding {finding_id!r} is not in the catalog") from None

    @staticmethod
    def _text(entry: Mapping[str, Any], lang: str) -> Mapping[str, Any]:
        return entry.get(lang) or entry[DEFAULT_LANGUAGE]

    def languages_of(self, finding_id: str) -> tuple[str, ...]:
        """The languages a finding has text in (the completeness test wants every one)."""
        return tuple(lang for lang in ("es", "en") if lang in self._entry(finding_id))

    def procedure_names(self) -> tuple[str, ...]:
        return tuple(self._procedures)

    def procedure_languages(self, name: str) -> tuple[str, ...]:
        return tuple(lang for lang in ("es", "en") if lang in self._procedures[name])


AREAS = "checks"
"""The package folder whose ``*.toml`` files hold each area's check titles and findings."""


@cache
def load() -> Catalog:
    """The package's catalog: the shared file and every area's, merged, parsed once (and the
    parse kept for the next run, :mod:`.toml_cache`)."""
    package = Path(__file__).parent
    areas = sorted(package.joinpath(AREAS).glob("*.toml"), key=lambda f: f.name)
    data, *more = parse_all([package / "catalog.toml", *areas], user_cache(), "catalog")
    for area, parsed in zip(areas, more, strict=True):
        merge(data, parsed, area.name)
    return Catalog(data)


def merge(into: dict[str, Any], more: Mapping[str, Any], source: str, path: str = "") -> None:
    """Add ``more``'s tables to ``into``'s; a value defined in both is an error naming it."""
    for key, value in more.items():
        here = f"{path}.{key}" if path else key
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value, source, here)
        elif key in into:
            raise ValueError(f"{source}: {here} is already defined in the catalog")
        else:
            into[key] = value
