"""``wa-doctor check``: pytest on the installed checks, started with only what a diagnosis uses.

No plugin is autoloaded (the doctor's, pytest-html and pytest-metadata are named), so whatever
else is installed beside the doctor costs nothing, and no pytest settings file (nor
``conftest.py``) is read from the folders above the checks (:data:`PYTEST_SETTINGS`;
``PYTEST_ADDOPTS`` still applies); the doctor's own options are checked before pytest starts,
a mistyped one with the closest name.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import early_start
from .cli import USAGE_ERROR
from .redaction import plain_text
from .settings import SETTINGS
from .user_cache import user_cache

PYTEST_SETTINGS = Path(__file__).with_name("check.ini")
"""pytest's settings for the diagnosis: none, and none read from the folders above the checks
(see the file)."""


def check(pytest_args: Sequence[str]) -> int:
    """``wa-doctor check``: pytest on the installed checks, rooted in the current folder (so
    reports and ``.env.local`` are the user's, never the installation's). pytest's cache
    (``--lf``) is kept outside that folder: the doctor leaves only ``reports/`` in a CRM."""
    if any(arg in ("-h", "--help") for arg in pytest_args):
        print(check_help())
        return 0
    unknown = unknown_options(pytest_args)
    if unknown:
        print(f"wa-doctor check: {unknown}", file=sys.stderr)
        return USAGE_ERROR
    from . import diagnostics

    folder = Path(diagnostics.__file__).parent
    here = Path.cwd()
    if sys.stdout is None:  # started with standard output closed (>&-)
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the run)
    out = sys.stdout = ReaderMayLeave(sys.stdout)
    try:
        early_start.start(pytest_args)  # Graph's first answers come while pytest starts
        import pytest

        status = pytest.main(
            [
                str(folder),
                f"--rootdir={here}",
                *("-c", str(PYTEST_SETTINGS)),
                "-o",
                f"cache_dir={cache_dir(here)}",
                *only_the_doctors_plugins(pytest_args),
                *pytest_args,
            ]
        )
    finally:
        sys.stdout = out.stream
        early_start.finish()
    if out.gone:  # nothing more to say to a reader that left, not even at exit
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return int(status)


class ReaderMayLeave(io.TextIOBase):
    """Standard output for a diagnosis whose reader may stop reading (``| head``): once the
    pipe is closed, the rest of the output is dropped, so the run still writes its reports and
    exits with its own code (a closed pipe used to end it with 0 and no report)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                self.stream.write(text)
            except OSError:  # a closed pipe, a full disk (> /dev/full): the reports still come
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except OSError:
                self.gone = True

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding


def only_the_doctors_plugins(args: Sequence[str]) -> list[str]:
    """The plugins a diagnosis uses, and no other: whatever else is installed where the doctor
    runs (pytest-benchmark's ``.benchmarks`` folder, hypothesis' start-up) stays out of the
    user's folder and time. ``-p NAME`` on the command line adds one; ``-p no:html`` leaves
    pytest-html (and the metadata table it shows) out, not even imported. The checks hold no
    ``assert`` (a check's verdict is the plugin's), so pytest does not rewrite them: in a CI job,
    where no bytecode is kept, that was every module recompiled on every run."""
    blocked = {arg.removeprefix("-p").strip() for arg in args if arg.startswith("-p")}
    blocked |= {after for before, after in itertools.pairwise(args) if before == "-p"}
    named = ["metadata", "html"] if "no:html" not in blocked else []
    return [
        "--disable-plugin-autoload",
        "--assert=plain",
        *("-p", "wa_doctor.pytest_plugin"),
        *(arg for name in named if f"no:{name}" not in blocked for arg in ("-p", name)),
    ]


def cache_dir(folder: Path) -> Path:
    """pytest's cache for runs in ``folder``: in the user's cache, one per folder (without a
    home folder, pytest's own place in ``folder``)."""
    base = user_cache()
    if base is None:
        return folder / ".pytest_cache"
    import hashlib

    digest = hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogatepass")).hexdigest()
    return base / digest[:16]


def unknown_options(args: Sequence[str]) -> str | None:
    """A ``--wa-…`` option the doctor does not have, with the closest one it has (pytest
    would say only "unrecognized arguments")."""
    known = [setting.option for setting in SETTINGS]
    for arg in args:
        if arg == "--":
            return None
        name = arg.split("=", 1)[0]
        if name.startswith("--wa-") and name not in known:
            import difflib  # only for a mistyped option

            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else "; see `wa-doctor check --help`"
            return f"unknown option {plain_text(name)[:60]}{hint}"
    return None


def check_help() -> str:
    """``wa-doctor check --help``: the doctor's own options first, from the settings table."""
    import textwrap

    lines = [
        "usage: wa-doctor check [--wa-… options] [pytest options]",
        "",
        "Runs the doctor's checks in the current folder (what `pytest diagnostics/` runs) and",
        "writes reports/report.html and reports/report.json. Each option below can also be set",
        "in the environment (the name in brackets), .env.local, .env or wa-doctor.toml.",
        "",
        "options:",
    ]
    for setting in SETTINGS:
        flag = setting.option if setting.is_flag else f"{setting.option} VALUE"
        lines.append(f"  {flag}")
        lines += textwrap.wrap(
            f"{setting.help} [{setting.env}]",
            88,
            initial_indent=" " * 6,
            subsequent_indent=" " * 6,
            break_on_hyphens=False,  # never `--wa-\ncredential`, `wa-\ndoctor`
        )
    lines += [
        "",
        "Every pytest option works too (-q, -v, --junitxml=PATH, -k, --lf): "
        "`python -m pytest --help` lists them.",
        "Exit codes: 0 no problem, 1 a problem found, 2 interrupted, 3 internal error, "
        "4 usage error, 5 nothing was checked.",
    ]
    return "\n".join(lines)
