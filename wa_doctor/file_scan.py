"""What a commit must not carry, found in the files themselves: the pre-commit hook's checks
(``wa-doctor scan FILE…``, declared in ``.pre-commit-hooks.yaml``).

* a Meta access token written in a file (``scan.token_staged``), or assigned to a variable a
  framework ships to the browser (``exposure.public_env_name``, as the diagnosis says it);
* a Graph version in a URL that Meta retired or stops serving soon (``api.code_version_*``,
  judged by the same dated table as the diagnosis).

No network, no database and no secret: a token is recognised by its shape (``EAA`` and 20 or
more letters and digits, the shape of the user and system-user tokens Meta issues), also inside
a URL-encoded or ``snake_case`` text, and only a preview of it is ever shown. Each line is
searched with linear patterns; every file is read whole, line by line, however large. A file
that is not text (a NUL byte in its first 8,000 bytes, git's own test) is not searched; one that
cannot be read is named, never passed over in silence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .catalog import Catalog
from .checks.api import IN_CODE, VERSION_IN_URL, judge
from .checks.exposure import PUBLIC_PREFIXES
from .checks.repository import shown_places
from .findings import Finding, finding
from .redaction import token_preview

BINARY_TEST = 8000
"""Bytes read for a NUL to decide a file is binary, as git does."""

TOKEN_SHAPE = re.compile(
    r"EAA(?<![A-Za-z0-9]EAA)[A-Za-z0-9]{20,}|(?<=%[0-9A-Fa-f]{2})EAA[A-Za-z0-9]{20,}"
)
"""A Meta token: ``EAA`` not inside a longer word of letters and digits (``_`` and other
punctuation may come before it), or right after a percent-encoded byte (``%3DEAA…``). Written so
that each alternative starts with its literal, which the engine jumps to."""

_PUBLIC_ASSIGNMENT = re.compile(
    r"\s*(?:export\s+)?(?P<name>(?:" + "|".join(map(re.escape, PUBLIC_PREFIXES)) + r")\w*)\s*[=:]"
)
"""``NEXT_PUBLIC_WA_TOKEN=…`` (an env file), ``export VITE_X=…``, ``REACT_APP_X: …`` (YAML)."""


@dataclass
class Scan:
    """What the files hold: the findings, the tokens themselves (for the output's redactor,
    never shown) and the files that could not be read, with why."""

    findings: list[Finding] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    unread: list[tuple[Path, str]] = field(default_factory=list)


def scan(paths: Iterable[Path], catalog: Catalog, today: date) -> Scan:
    """The findings in ``paths``, each naming every file and line it was seen at."""
    result = Scan()
    staged: list[str] = []
    staged_tokens: set[str] = set()
    public: list[tuple[str, str]] = []
    versions: dict[str, list[str]] = {}
    for path in paths:
        for number, line in _lines(path, result.unread):
            place = f"{path.as_posix()}:{number}"
            for version in {match["version"] for match in VERSION_IN_URL.finditer(line)}:
                versions.setdefault(version, []).append(place)
            tokens = [match.group() for match in TOKEN_SHAPE.finditer(line)]
            if not tokens:
                continue
            result.tokens.update(tokens)
            assignment = _PUBLIC_ASSIGNMENT.match(line)
            if assignment is not None:
                public.append((assignment["name"], place))
            else:
                staged.append(place)
                staged_tokens.update(tokens)
    if staged:
        previews = sorted({token_preview(t) for t in staged_tokens})
        result.findings.append(
            finding(
                "scan.token_staged",
                places=shown_places(staged),
                token=", ".join(previews),
                locations=tuple(staged),
            )
        )
    if public:
        shown = shown_places([f"{name} ({place})" for name, place in public])
        locations = tuple(place for _, place in public)
        result.findings.append(
            finding("exposure.public_env_name", places=shown, locations=locations)
        )
    for version, where in versions.items():
        judged = judge(catalog, today, version)
        if judged is not None and judged.id in IN_CODE:
            result.findings.append(
                finding(
                    IN_CODE[judged.id],
                    places=shown_places(where),
                    locations=tuple(where),
                    **judged.params,
                )
            )
    return result


def _lines(path: Path, unread: list[tuple[Path, str]]) -> Iterator[tuple[int, str]]:
    """A text file's lines, numbered from 1, read as a stream; a binary file gives none, and
    one that cannot be read (or is no regular file: a FIFO would never end) is noted."""
    if not path.is_file():
        unread.append((path, "not a file" if path.exists() else "not found"))
        return
    try:
        with path.open("rb") as file:
            if b"\0" in file.read(BINARY_TEST):
                return
            file.seek(0)
            for number, raw in enumerate(file, start=1):
                yield number, raw.decode("utf-8", errors="replace")
    except OSError as exc:
        unread.append((path, exc.strerror or type(exc).__name__))
