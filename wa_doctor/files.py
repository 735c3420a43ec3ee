"""Writing files so that nobody ever sees half of one: reports, and ``.env.local`` renewals.

A reader (the CRM's dev server, a browser opening the report) must see the old file or the new
one, never a mix, and a crash in the middle must leave the old one intact: write a temporary
file in the same folder, flush it to disk, then rename it over the original.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename, keeping the original's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class EnvFileChange:
    """What :func:`set_env_variable` did: which lines (1-based) changed, or that it appended."""

    path: Path
    lines: tuple[int, ...]
    backup: Path | None

    @property
    def appended(self) -> bool:
        """No line held the variable, so it was added at the end."""
        return not self.lines


def set_env_variable(
    path: Path, name: str, value: str, *, backup: bool = False, now: datetime | None = None
) -> EnvFileChange:
    """Set ``name=value`` in a dotenv file, keeping every other line, comment and the order.

    Every assignment of ``name`` is rewritten (dotenv readers disagree on which duplicate
    wins), keeping an ``export`` prefix, the quote style and a trailing comment; a file without
    it gets the line appended. The backup, when asked for, is named by time only.
    """
    original = path.read_text("utf-8") if path.exists() else ""
    pattern = re.compile(
        rf"^(?P<head>\s*(?:export\s+)?{re.escape(name)}\s*=\s*)"
        r"(?P<quote>['\"]?)(?P<old>.*?)(?P=quote)(?P<tail>\s+#.*)?(?P<eol>\r?\n)?$"
    )
    lines = original.splitlines(keepends=True)
    changed: list[int] = []
    for number, line in enumerate(lines):
        match = pattern.match(line)
        if match:
            quote, tail, eol = match["quote"], match["tail"] or "", match["eol"] or ""
            lines[number] = f"{match['head']}{quote}{value}{quote}{tail}{eol}"
            changed.append(number + 1)
    if not changed:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(f"{name}={value}\n")
    saved = None
    if backup and path.exists():
        stamp = (now or datetime.now()).strftime("%Y%m%dT%H%M%S")
        saved = path.with_name(f"{path.name}.bak-{stamp}")
        shutil.copy2(path, saved)
    write_atomically(path, "".join(lines))
    return EnvFileChange(path, tuple(changed), saved)
