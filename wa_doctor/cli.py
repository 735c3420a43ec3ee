"""``wa-doctor``: the command-line tools beside the pytest suite.

This module only reads the command line: each command's code is imported when it runs
(``wa-doctor check`` in :mod:`.check_command`, the others in :mod:`.commands`), so that a
diagnosis does not wait for what the other commands need.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from . import __version__
from .settings import LANGUAGES

USAGE_ERROR = 4
"""Every subcommand's exit code for a usage error (a bad option, value or input): pytest's, so
``wa-doctor check`` and the rest agree (see the README's exit code table)."""


class _Parser(argparse.ArgumentParser):
    """argparse, exiting with :data:`USAGE_ERROR` instead of its own 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; output cut short by a closed pipe (``| head``) is not an error."""
    try:
        return _run(argv)
    except BrokenPipeError:
        # the reader left: send what is still buffered nowhere, so exiting raises nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def language(args: argparse.Namespace) -> str:
    """``--lang``, else ``WA_DOCTOR_LANG`` where the suite reads it (the environment,
    ``.env.local``, ``.env``, ``wa-doctor.toml``), else Spanish."""
    from .config import configured

    chosen = args.lang or (configured("lang", os.environ) or "").strip().lower()
    return chosen if chosen in LANGUAGES else "es"


def _run(argv: Sequence[str] | None) -> int:
    parser = _Parser(
        prog="wa-doctor",
        description="Diagnose a CRM's WhatsApp Cloud API setup (`wa-doctor check`), explain "
        "Meta's errors, renew a token safely, and more: `wa-doctor COMMAND --help`.",
    )
    parser.add_argument("--version", action="version", version=f"wa-doctor {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    explainer = commands.add_parser(
        "explain",
        help="explain a Graph/WhatsApp error code or a logged error JSON",
        description="Prints the finding and remedy for an error code (131047, 190/467) or for "
        "error JSON from the CRM's logs (a Graph error body or a webhook errors[] object), "
        "each distinct error once, or for a finding id the reports print (token.expired). "
        "Reads standard input when ERROR is '-' or missing, and the file when ERROR names one.",
    )
    explainer.add_argument("error", nargs="?", default="-")
    explainer.add_argument(
        "--list", action="store_true", help="list every finding id with its title instead"
    )
    explainer.add_argument("--lang", choices=LANGUAGES, default=None)
    renewer = commands.add_parser(
        "renew-token",
        help="replace a credential's token safely (validated live, one row, verified)",
        description="Reads the new token from standard input or a prompt that does not echo "
        "(never from the command line), checks it with Meta for the credential's number, then "
        "writes exactly one row of the credential table and, with --env-file, that file. "
        "Configuration (DATABASE_URL, WHATSAPP_*) is read as `pytest diagnostics/` reads it.",
    )
    renewer.add_argument("--credential", help="the row: its label, row id or phone number id")
    renewer.add_argument("--env-file", type=Path, help="also update this file, e.g. .env.local")
    renewer.add_argument("--backup", action="store_true", help="keep a timestamped copy of it")
    renewer.add_argument("--dry-run", action="store_true", help="validate and show; write nothing")
    renewer.add_argument(
        "--allow-temporary", action="store_true", help="accept a temporary (24-hour) token"
    )
    renewer.add_argument(
        "--vercel", action="store_true", help="print the Vercel CLI commands when it is installed"
    )
    renewer.add_argument("--lang", choices=LANGUAGES, default=None)
    renewer.add_argument(
        "--simulate", metavar="SCENARIO", help="validate against the built-in Graph simulator"
    )
    info = commands.add_parser(
        "token-info",
        help="what Meta's Access Token Debugger shows, for the configured or a piped token",
    )
    info.add_argument("--lang", choices=LANGUAGES, default=None)
    info.add_argument("--simulate", metavar="SCENARIO", help="ask the built-in simulator")
    scanner = commands.add_parser(
        "scan",
        help="look in files for a Meta token or a retired Graph version (the pre-commit hook)",
        description="Reads the files named (pre-commit passes the staged ones), whole, for a "
        "Meta access token (recognised by its shape, EAA…), one under a browser-public variable "
        "name (NEXT_PUBLIC_, VITE_, REACT_APP_, PUBLIC_, EXPO_PUBLIC_), and a Graph API version "
        "in a URL that Meta retired (an error) or stops serving within 90 days (a warning). "
        "Binary files are skipped; a file that cannot be read is named. Needs no network, "
        "database or secret, and shows a token only as a preview. Exit 1 when it finds an error.",
    )
    scanner.add_argument("files", nargs="*", metavar="FILE", help="the files to read")
    scanner.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="es or en (default: WA_DOCTOR_LANG, else es)",
    )
    scanner.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="exit 1 on an error (default) or also on a warning (a version ending soon)",
    )
    lister = commands.add_parser(
        "checks", help="list every check: what it reads and the findings it can raise"
    )
    lister.add_argument("--lang", choices=LANGUAGES, default=None)
    commands.add_parser(
        "check",
        help="run the diagnosis (what `pytest diagnostics/` runs), from any folder",
        add_help=False,  # `check --help` lists the doctor's options, see check_help
    )
    args, extra = parser.parse_known_args(argv)  # `check` hands what it does not know to pytest
    if args.command == "check":
        from .check_command import check

        return check(extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    from . import commands

    if args.command == "token-info":
        return commands.token_info(args)
    if args.command == "checks":
        print(commands.list_checks(language(args)))
        return 0
    if args.command == "renew-token":
        return commands.renew_token(args)
    if args.command == "scan":
        return commands.scan_files(args)
    return commands.explain_command(args)


def today() -> date:
    """The date the commands judge by (tests fix it)."""
    return date.today()


if __name__ == "__main__":
    sys.exit(main())
