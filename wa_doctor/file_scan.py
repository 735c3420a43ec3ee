"""What a commit must not carry, found in the files themselves: the pre-commit hook's checks
(``wa-doctor scan FILE…``, declared in ``.pre-commit-hooks.yaml``).

* a Meta access token written in a file (``scan.token_staged``), or assigned to a variable a
  framework ships to the browser (``exposure.public_env_name``, as the diagnosis says it);
* a Graph version in a URL that Meta retired or stops serving soon (``api.code_version_*``,
  judged by the same dated table as the diagnosis).

No network, no database and no secret: a token is recognised by its shape (``EAA`` and 20 or
more letters and digits, the shape of the user and system-user tokens Meta issues), and only a
preview of it is ever shown. Each line is searched with linear patterns; a file that is not
text (a NUL byte, as git decides) or is larger than :data:`MAX_BYTES` is not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from .catalog import Catalog
from .checks.api import IN_CODE, VERSION_IN_URL, judge, shown_places
from .checks.exposure import PUBLIC_PREFIXES
from .findings import Finding, finding
from .redaction import META_TOKEN, token_preview

MAX_BYTES = 2 << 20
"""Larger files are not read: a bundle or a data dump, not code someone wrote a token into."""

_PUBLIC_ASSIGNMENT = re.compile(
    r"\s*(?:export\s+)?(?P<name>(?:" + "|".join(map(re.escape, PUBLIC_PREFIXES)) + r")\w*)\s*[=:]"
)
"""``NEXT_PUBLIC_WA_TOKEN=…`` (an env file), ``export VITE_X=…``, ``REACT_APP_X: …`` (YAML)."""


def scan(paths: Iterable[Path], catalog: Catalog, today: date) -> list[Finding]:
    """The findings in ``paths``, each naming every file and line it was seen at."""
    staged: list[str] = []
    previews: list[str] = []
    public: list[tuple[str, str]] = []
    versions: dict[str, list[str]] = {}
    for path in paths:
        for number, line in _lines(path):
            place = f"{path.as_posix()}:{number}"
            for version in {match["version"] for match in VERSION_IN_URL.finditer(line)}:
                versions.setdefault(version, []).append(place)
            token = META_TOKEN.search(line)
            if token is None:
                continue
            assignment = _PUBLIC_ASSIGNMENT.match(line)
            if assignment is not None:
                public.append((assignment["name"], place))
            else:
                staged.append(place)
                previews.append(token_preview(token.group()))
    found = []
    if staged:
        found.append(
            finding(
                "scan.token_staged",
                places=shown_places(staged),
                token=", ".join(sorted(set(previews))),
                location=staged[0],
            )
        )
    if public:
        places = [f"{name} ({place})" for name, place in public]
        found.append(
            finding("exposure.public_env_name", places=shown_places(places), location=public[0][1])
        )
    for version, where in versions.items():
        judged = judge(catalog, today, version)
        if judged is not None and judged.id in IN_CODE:
            found.append(
                finding(
                    IN_CODE[judged.id],
                    places=shown_places(where),
                    location=where[0],
                    **judged.params,
                )
            )
    return found


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """A text file's lines, numbered from 1; nothing for a binary, huge or unreadable one."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:  # a FIFO would never end
            return
        data = path.read_bytes()
    except OSError:
        return
    if b"\0" in data:
        return
    yield from enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1)
