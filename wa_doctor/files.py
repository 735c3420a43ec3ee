"""Writing files so that nobody ever sees half of one: reports, and ``.env.local`` renewals.

A reader (the CRM's dev server, a browser opening the report) must see the old file or the new
one, never a mix, and a crash in the middle must leave the old one intact: write a temporary
file in the same folder, flush it to disk, then rename it over the original.

A renewal changes a file the user owns and other tools read, so it changes nothing else: a
symlinked ``.env.local`` is written through to its target (the link stays), owner, group and
mode are kept, and so are CRLF line endings and a byte-order mark. Everything that can fail is
found by :func:`plan_env_update` before the caller writes anything anywhere (the database row
comes first in a renewal, and must not be written when the file cannot follow). The report
folder is made, or refused with a usage error, before the run (:func:`usable_report_dir`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .errors import ConfigError, EnvFileError

BOM = "\ufeff"


def write_atomically(path: Path, text: str | Iterable[str]) -> None:
    """Replace ``path`` with ``text`` (a string, or its pieces: a large report is written
    piece by piece, never held whole) in one rename, keeping the original's owner and mode.

    The temporary file is ``<name>.tmp-…`` beside it, so the ignore rules that cover the file
    (``.env*``) cover it too, and it is removed on every failure.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.writelines([text] if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            _copy_ownership(path, Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _copy_ownership(original: Path, copy: Path) -> None:
    status = original.stat()
    os.chmod(copy, status.st_mode & 0o7777)
    if (status.st_uid, status.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.chown(copy, status.st_uid, status.st_gid)


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


@dataclass(frozen=True)
class EnvFileUpdate:
    """A change planned and checked, not yet written: the file's new text and where it goes."""

    path: Path
    """The path as given (maybe a symlink)."""
    target: Path
    """The file that is really written."""
    text: str
    lines: tuple[int, ...]

    def apply(self, *, backup: bool = False, now: datetime | None = None) -> EnvFileChange:
        saved = _backup(self.target, now or datetime.now()) if backup else None
        write_atomically(self.target, self.text)
        return EnvFileChange(self.path, self.lines, saved)

    def __repr__(self) -> str:  # the text holds the new token
        return f"EnvFileUpdate({str(self.path)!r}, lines={self.lines})"


def plan_env_update(path: Path, name: str, value: str) -> EnvFileUpdate:
    """The file with ``name=value`` set, keeping every other line, comment and the order.

    Every assignment of ``name`` is rewritten (dotenv readers disagree on which duplicate
    wins), keeping an ``export`` prefix, the quote style and a trailing comment; a quoted value
    over several lines is replaced whole; a file without it gets the line appended. Raises
    :class:`EnvFileError` when the file could not be written as planned.
    """
    target = path.resolve()
    original = _read_text(target) if target.exists() else ""
    bom = BOM if original.startswith(BOM) else ""
    body = original[len(bom) :]
    newline = "\r\n" if "\r\n" in body else "\n"
    lines = body.splitlines(keepends=True)
    head = re.compile(rf"^\s*(?:export\s+)?{re.escape(name)}\s*=")
    out: list[str] = []
    changed: list[int] = []
    number = 0
    while number < len(lines):
        line = lines[number]
        if not head.match(line):
            out.append(line)
            number += 1
            continue
        taken = _assignment_lines(lines, number)
        out.append(_replaced("".join(lines[number : number + taken]), name, value))
        changed.append(number + 1)
        number += taken
    if not changed:
        if out and not out[-1].endswith(("\n", "\r")):
            out[-1] += newline
        out.append(f"{name}={value}{newline}")
    _check_writable(target)
    return EnvFileUpdate(path, target, bom + "".join(out), tuple(changed))


def set_env_variable(
    path: Path, name: str, value: str, *, backup: bool = False, now: datetime | None = None
) -> EnvFileChange:
    """Plan and apply in one go (see :func:`plan_env_update`)."""
    return plan_env_update(path, name, value).apply(backup=backup, now=now)


_ASSIGNMENT = re.compile(
    r"^(?P<head>\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*=\s*)"
    r"(?P<quote>['\"]?)(?P<old>.*?)(?P=quote)(?P<tail>\s+#.*?)?(?P<eol>\r?\n)?$",
    re.DOTALL,
)


def _assignment_lines(lines: list[str], start: int) -> int:
    """How many lines the assignment at ``start`` spans: one, or up to the line that closes a
    quoted value opened on it (python-dotenv reads such values over several lines)."""
    value = lines[start].split("=", 1)[1].lstrip()
    quote = value[:1]
    if quote not in ("'", '"') or _closes(value[1:], quote):
        return 1
    for offset, line in enumerate(lines[start + 1 :], start=1):
        if _closes(line, quote):
            return offset + 1
    return 1  # never closed: treat it as one line, as a reader would fail on it anyway


def _closes(text: str, quote: str) -> bool:
    return bool(re.search(r"(?<!\\)" + re.escape(quote), text))


def _replaced(assignment: str, name: str, value: str) -> str:
    eol = "\r\n" if assignment.endswith("\r\n") else ("\n" if assignment.endswith("\n") else "")
    match = _ASSIGNMENT.match(assignment)
    if match is None:
        return f"{name}={value}{eol}"
    quote, tail = match["quote"], match["tail"] or ""
    return f"{match['head']}{quote}{value}{quote}{tail}{eol}"


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EnvFileError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EnvFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _check_writable(target: Path) -> None:
    folder = target.parent
    if not folder.is_dir():
        raise EnvFileError(f"{target}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise EnvFileError(f"{target}: cannot create files in {folder}")
    if target.exists() and not os.access(target, os.W_OK):
        raise EnvFileError(f"{target}: not writable")


def _backup(target: Path, now: datetime) -> Path | None:
    """A copy named by time, never over an earlier backup (two renewals in one second), and
    whole or not at all: a copy cut short by a full disk is removed, never left looking real."""
    if not target.exists():
        return None
    stem = f"{target.name}.bak-{now.strftime('%Y%m%dT%H%M%S')}"
    for attempt in range(1, 100):
        candidate = target.with_name(stem if attempt == 1 else f"{stem}-{attempt}")
        try:
            with candidate.open("xb") as copy, target.open("rb") as original:
                try:
                    shutil.copyfileobj(original, copy)
                    copy.flush()
                    os.fsync(copy.fileno())
                except OSError as exc:
                    candidate.unlink(missing_ok=True)
                    raise EnvFileError(
                        f"{target}: the backup could not be written ({exc.strerror})"
                    ) from None
        except FileExistsError:
            continue
        shutil.copystat(target, candidate)
        _copy_ownership(target, candidate)
        return candidate
    raise EnvFileError(f"{target}: too many backups named {stem}")


def usable_report_dir(path: Path) -> Path:
    """The report folder, created if needed; a usage error naming it when it cannot be
    (a file in the way, no permission), before pytest-html fails on it at the end."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"--wa-report-dir / WA_DOCTOR_REPORT_DIR: cannot create {path} ({exc.strerror})"
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"--wa-report-dir / WA_DOCTOR_REPORT_DIR: cannot write into {path}")
    return path
