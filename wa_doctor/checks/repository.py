"""The CRM's folder and its git repository, as the file checks search them: read-only, and
nothing secret on a command line (the token a search looks for goes through stdin).

git's output is read as git writes it for programs (``-z``, file names unquoted), so a file
named ``configuración.js`` or ``a:b.ts`` is named as it is, and whatever a name holds is kept
whole until an output escapes it.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from ..doctor import Doctor
from ..errors import NotApplicable

MAX_PLACES = 5
"""Places a finding's message names; the rest are counted, and SARIF has them all."""


def app_dir(doctor: Doctor) -> Path:
    """The CRM's folder (``--wa-app-dir``, default the current one); not the doctor's own
    checkout, where scanning would report the doctor green instead of the CRM."""
    folder = doctor.config.app_folder
    if (folder / "wa_doctor" / "__init__.py").is_file() and (folder / "diagnostics").is_dir():
        # named as the user gave it: a machine's absolute path says whose home it ran in
        raise NotApplicable("skip_app_dir_is_doctor", folder=doctor.config.app_dir or ".")
    return folder


def _in_git_repository(doctor: Doctor) -> bool:
    if shutil.which("git") is None:
        return False
    inside = subprocess.run(
        ["git", "-C", str(app_dir(doctor)), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
    )
    return inside.returncode == 0


def git(doctor: Doctor, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run git in the app folder (file names unquoted; any bytes read, never a crash)."""
    if not doctor.once("app_dir_in_git", lambda: _in_git_repository(doctor)):
        raise NotApplicable("skip_no_git")
    return subprocess.run(
        ["git", "-c", "core.quotePath=false", "-C", str(app_dir(doctor)), *args],
        input=stdin,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
    )


def grep(doctor: Doctor, *args: str, stdin: str = "") -> list[tuple[str, int, str]]:
    """``git grep`` in the tracked files: (file, line, text) of each matching line."""
    found = git(doctor, "grep", "-z", "-n", "-I", *args, stdin=stdin)
    return list(_hits(found.stdout))


def _hits(output: str) -> Iterator[tuple[str, int, str]]:
    """``file NUL line NUL text LF`` records, read in one pass (a file name may hold a line
    break, a line of text cannot)."""
    at = 0
    while (file_end := output.find("\0", at)) >= 0:
        line_end = output.find("\0", file_end + 1)
        if line_end < 0:
            return
        text_end = output.find("\n", line_end + 1)
        text_end = len(output) if text_end < 0 else text_end
        number = output[file_end + 1 : line_end]
        if number.isascii() and number.isdigit():
            yield output[at:file_end], int(number), output[line_end + 1 : text_end]
        at = text_end + 1


def shown_places(places: list[str]) -> str:
    """The first :data:`MAX_PLACES` places, and `…` when there are more."""
    return ", ".join(places[:MAX_PLACES]) + (" …" if len(places) > MAX_PLACES else "")
