"""Where a finding points in the CRM's code, as GitHub reads it: a path from the repository's
root (``$GITHUB_WORKSPACE`` under GitHub Actions, else the folder the run started in) and a
line.

The checks say where they found something in the ``locations`` param of a finding
(``src/lib/wa.ts:12``, ``.env``), relative to the CRM's folder they searched (``--wa-app-dir``).
An annotation's ``file=`` and a SARIF result's URI are both read from the repository's root,
so a CRM in a subfolder (``--wa-app-dir crm``) must be named ``crm/src/lib/wa.ts`` there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .findings import Finding


@dataclass(frozen=True)
class Location:
    """A file, relative to where the run started when it lies inside it, and a line (None when
    the finding is about the whole file, like a tracked ``.env``)."""

    path: str
    line: int | None


def located(found: Finding, app_dir: Path, root: Path | None = None) -> list[Location]:
    """Where ``found`` points, each place it was seen (``locations``: ``src/wa.ts:12``,
    ``.env``); none for a finding about no file (Meta, the database)."""
    root = root or Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd())
    return [_location(str(given), app_dir, root) for given in found.params.get("locations", ())]


def _location(given: str, app_dir: Path, root: Path) -> Location:
    file, _, line = given.rpartition(":")
    if not (file and line.isascii() and line.isdigit()):
        file, line = given, ""
    return Location(_from_root(app_dir / file, root), int(line) if line else None)


def _from_root(path: Path, root: Path) -> str:
    """``path`` as seen from ``root`` (``/`` separators, links resolved in both, so a
    workspace reached through a symlink still gives relative paths), or absolute outside."""
    absolute = Path(os.path.realpath(path))
    try:
        return absolute.relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        return absolute.as_posix()
