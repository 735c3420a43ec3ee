"""``wa-doctor``: the command-line tools beside the pytest suite."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import difflib
import functools
import getpass
import hashlib
import io
import os
import sys
import textwrap
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn, TextIO

from . import __version__, file_scan, tokens
from .catalog import load as load_catalog
from .checks import configuration, prerequisites
from .checks import token as token_checks
from .config import load_config, secret_candidates
from .doctor import Doctor
from .errors import ConfigError, DoctorError, ExplainError
from .explain import (
    MAX_INPUT,
    distinct,
    explain,
    explain_finding,
    format_remedy,
    parse,
    render_offline,
)
from .findings import Finding, Outcome, Severity
from .redaction import RedactingLogRecordFactory, Redactor, one_line, plain_text
from .renewal import Renewal, RenewRequest
from .runner import run_check
from .settings import LANGUAGES, SETTINGS

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
    """``--lang``, else ``WA_DOCTOR_LANG`` (as the suite reads it), else Spanish."""
    chosen = args.lang or os.environ.get("WA_DOCTOR_LANG", "").strip().lower()
    return chosen if chosen in LANGUAGES else "es"


def _run(argv: Sequence[str] | None) -> int:
    parser = _Parser(prog="wa-doctor", description=__doc__)
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
        description="Reads the files named (pre-commit passes the staged ones) for a Meta "
        "access token, one under a browser-public variable name (NEXT_PUBLIC_, VITE_…), and a "
        "Graph version in a URL that Meta retired or soon retires. Needs no network, database "
        "or secret; shows a token only as a preview. Exit 1 when it finds an error.",
    )
    scanner.add_argument("files", nargs="*", metavar="FILE")
    scanner.add_argument("--lang", choices=LANGUAGES, default=None)
    scanner.add_argument(
        "--fail-on", choices=("error", "warning"), default="error", help="what fails (exit 1)"
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
        return check(extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "token-info":
        return token_info(args)
    if args.command == "checks":
        print(list_checks(language(args)))
        return 0
    if args.command == "renew-token":
        return renew_token(args)
    if args.command == "scan":
        return scan_files(args)
    if args.list:
        catalog = load_catalog()
        lang = language(args)
        print("\n".join(f"{i}  {catalog.render(Finding(i), lang).title}" for i in catalog.ids))
        return 0
    lang = language(args)
    by_id = explain_finding(args.error.strip(), lang)
    if by_id is not None:  # a finding id, as the reports print them
        print(format_remedy(by_id, Redactor()))
        return 0
    try:
        text, unread = _explain_input(args.error)
        found = distinct(parse(text))
    except ExplainError as exc:
        print(f"wa-doctor explain: {exc}", file=sys.stderr)
        return USAGE_ERROR
    redact = Redactor()
    labels = load_catalog()
    blocks = [
        format_remedy(explain(facts, lang), redact)
        + (f"\n  {labels.label('times_seen', lang).format(n=n)}" if n > 1 else "")
        for facts, n in found
    ]
    if unread:
        shown = labels.number(MAX_INPUT, lang)
        blocks.append(labels.label("explain_unread", lang).format(n=shown))
    print("\n\n".join(blocks))
    sys.stdout.flush()  # inside main's guard: a reader that left is not an error
    return 0


def scan_files(args: argparse.Namespace) -> int:
    """``wa-doctor scan``: each finding in the files with its remedy; 1 when one fails."""
    lang = language(args)
    found = file_scan.scan(map(Path, args.files), load_catalog(), date.today())
    remedies = [render_offline(f, lang) for f in found]
    failing = {Severity.ERROR} | ({Severity.WARNING} if args.fail_on == "warning" else set())
    if remedies:
        print("\n\n".join(format_remedy(remedy, Redactor()) for remedy in remedies))
    return 1 if any(remedy.severity in failing for remedy in remedies) else 0


def _explain_input(given: str) -> tuple[str, bool]:
    """What ``explain`` reads: standard input for ``-``, the file when ``given`` names one,
    else ``given`` itself; at most :data:`MAX_INPUT` characters, any bytes (a log is not
    always UTF-8), and whether some was left unread."""
    if given == "-":
        raw = sys.stdin.buffer.read(MAX_INPUT * 4 + 1)
    elif _is_file(given):
        try:
            with Path(given).open("rb") as file:
                raw = file.read(MAX_INPUT * 4 + 1)
        except OSError as exc:
            raise ExplainError(
                f"{plain_text(given)[:200]}: cannot be read ({exc.strerror})"
            ) from None
    else:
        return given[:MAX_INPUT], len(given) > MAX_INPUT
    text = raw.decode("utf-8", errors="replace")
    return text[:MAX_INPUT], len(raw) > MAX_INPUT * 4 or len(text) > MAX_INPUT


def _is_file(given: str) -> bool:
    """Whether an argument names a file (a pasted JSON is no file name, and may be too long
    to be one)."""
    try:
        return Path(given).is_file()
    except (OSError, ValueError):
        return False


def list_checks(lang: str) -> str:
    """Every check in run order: its id and title, what it reads, the findings it can raise."""
    from .pytest_checks import diagnosed

    catalog = load_catalog()
    label = functools.partial(catalog.label, lang=lang)
    lines = []
    for _, declared in diagnosed():
        reads = ", ".join(declared.requests)
        graph = " + graph.*" if reads else ""
        lines += [
            f"{declared.name} — {catalog.check_title(declared.name, lang)}",
            f"    {label('list_reads')}: {reads or label('list_reads_local')}",
            f"    {label('list_findings')}: {', '.join(declared.raises) or '—'}{graph}",
        ]
    return "\n".join(lines)


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
    import pytest

    from . import diagnostics

    folder = Path(diagnostics.__file__).parent
    here = Path.cwd()
    if sys.stdout is None:  # started with standard output closed (>&-)
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the run)
    out = sys.stdout = ReaderMayLeave(sys.stdout)
    try:
        status = pytest.main(
            [
                str(folder),
                f"--rootdir={here}",
                "-o",
                f"cache_dir={cache_dir(here)}",
                *ONLY_THE_DOCTORS_PLUGINS,
                *pytest_args,
            ]
        )
    finally:
        sys.stdout = out.stream
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


ONLY_THE_DOCTORS_PLUGINS = (
    "--disable-plugin-autoload",
    *("-p", "wa_doctor.pytest_plugin"),
    *("-p", "metadata"),
    *("-p", "html"),
)
"""The plugins a diagnosis uses, and no other: whatever else is installed where the doctor
runs (pytest-benchmark's ``.benchmarks`` folder, hypothesis' start-up) stays out of the
user's folder and time. ``-p NAME`` on the command line adds one."""


def cache_dir(folder: Path) -> Path:
    """pytest's cache for runs in ``folder``: in the user's cache, one per folder."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogatepass")).hexdigest()
    return base / "wa-doctor" / digest[:16]


def unknown_options(args: Sequence[str]) -> str | None:
    """A ``--wa-…`` option the doctor does not have, with the closest one it has (pytest
    would say only "unrecognized arguments")."""
    known = [setting.option for setting in SETTINGS]
    for arg in args:
        if arg == "--":
            return None
        name = arg.split("=", 1)[0]
        if name.startswith("--wa-") and name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else "; see `wa-doctor check --help`"
            return f"unknown option {plain_text(name)[:60]}{hint}"
    return None


def check_help() -> str:
    """``wa-doctor check --help``: the doctor's own options first, from the settings table."""
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
            f"{setting.help} [{setting.env}]", 88, initial_indent=" " * 6, subsequent_indent=" " * 6
        )
    lines += [
        "",
        "Every pytest option works too (-q, -v, --junitxml=PATH, -k, --lf): "
        "`python -m pytest --help` lists them.",
        "Exit codes: 0 no problem, 1 a problem found, 2 interrupted, 3 internal error, "
        "4 usage error, 5 nothing was checked.",
    ]
    return "\n".join(lines)


def token_info(args: argparse.Namespace) -> int:
    """``wa-doctor token-info``: the token (piped, else WHATSAPP_ACCESS_TOKEN) as Meta's Access
    Token Debugger describes it, with the token itself shown only as a preview."""
    piped = "" if sys.stdin.isatty() else sys.stdin.read().strip()
    options = {"lang": args.lang, "simulate": args.simulate, "access_token": piped or None}
    with _doctor_for(options, "token-info") as doctor:
        if doctor is None:
            return USAGE_ERROR
        credential = doctor.env
        if piped:  # the simulator stands its own token in for the configured one, not a piped one
            credential = dataclasses.replace(credential, token=piped)
        if prerequisites.missing_token(credential) is not None:
            no_token = doctor.catalog.label("token_info_no_token", doctor.lang)
            print(f"wa-doctor token-info: {no_token}", file=sys.stderr)
            return USAGE_ERROR
        if not prerequisites.sendable(credential.clean_token or ""):
            malformed = run_check(doctor, configuration.token_well_formed, credential)
            print("\n\n".join(format_remedy(r, doctor.redactor) for r in malformed.remedies))
            return 1
        try:
            info = tokens.inspect(doctor.graph, credential.clean_token or "", doctor.app_token)
        except DoctorError as error:
            found = Finding(error.finding_id, dict(error.params))
            print(format_remedy(doctor.catalog.render(found, doctor.lang), doctor.redactor))
            return 1
        print(doctor.redactor(describe_token(doctor, credential.token_preview, info)))
        return 0 if info.is_valid else 1


def describe_token(doctor: Doctor, preview: str, info: tokens.TokenInfo) -> str:
    """The debugger's fields, one a line, in the run's language."""

    def label(key: str) -> str:
        return doctor.catalog.label(key, doctor.lang)

    def date_or(timestamp: int | None) -> str:
        if timestamp:
            return token_checks.when(timestamp)
        return label("token_info_never") if info.is_valid else "—"

    granular = [
        f"{scope}: {', '.join(ids) if ids else label('token_info_all_assets')}"
        for scope, ids in info.targets.items()
    ]
    rows = [
        (label("token"), preview),
        (label("token_info_valid"), label("token_info_yes" if info.is_valid else "token_info_no")),
        (label("token_info_app"), f"{info.application or '?'} ({info.app_id or '?'})"),
        (label("token_info_type"), info.type or "?"),
        (label("token_info_issued"), token_checks.when(info.issued_at)),
        (label("token_info_expires"), date_or(info.expires_at)),
        (label("token_info_data_access"), date_or(info.data_access_expires_at)),
        (label("token_info_scopes"), ", ".join(info.scopes) or "—"),
        (label("token_info_granular"), "; ".join(granular) or "—"),
    ]
    if info.error_message:
        rows.append((label("token_info_error"), info.error_message))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)}  {one_line(str(value))}" for name, value in rows)


@contextlib.contextmanager
def _doctor_for(options: dict[str, object], command: str) -> Iterator[Doctor | None]:
    """A Doctor from the configuration as the suite reads it (the simulator when asked), with
    log records redacted; None after printing a usage error."""
    server = None
    try:
        config = load_config(options, os.environ)
        if config.simulate:
            from . import simulator  # only now: it brings a web server along

            server, config = simulator.start_for(str(config.simulate), config)
        doctor = Doctor.create(config)
    except ConfigError as exc:
        if server is not None:
            server.stop()
        redact = Redactor(secret_candidates(options, os.environ))
        print(redact(f"wa-doctor {command}: {exc}"), file=sys.stderr)
        yield None
        return
    log_factory = RedactingLogRecordFactory(doctor.redactor)
    log_factory.install()
    try:
        yield doctor
    finally:
        log_factory.uninstall()
        doctor.close()
        if server is not None:
            server.stop()


def renew_token(args: argparse.Namespace) -> int:
    """``wa-doctor renew-token``: the token comes from stdin or a no-echo prompt, never argv.

    Configuration is read as the suite reads it, ``WA_DOCTOR_SIMULATE`` included (a renewal
    against the simulator writes the real database row only if you point it at one). A
    ``--credential`` that names nothing is refused before the token is asked for."""
    options = {"credential": args.credential, "lang": args.lang, "simulate": args.simulate}
    with _doctor_for(options, "renew-token") as doctor:
        if doctor is None:
            return USAGE_ERROR
        chosen = run_check(doctor, configuration.credential_selected)
        if chosen.outcome is Outcome.FAILED:
            print("\n\n".join(format_remedy(r, doctor.redactor) for r in chosen.remedies))
            return 1
        interactive = sys.stdin.isatty()
        prompt = "Token nuevo / new token (no se muestra / not shown): "

        def read_token() -> str:
            return getpass.getpass(prompt) if interactive else sys.stdin.read()

        request = RenewRequest(
            env_file=args.env_file,
            backup=args.backup,
            dry_run=args.dry_run,
            allow_temporary=args.allow_temporary,
            vercel=args.vercel,
        )
        confirm = _ask if interactive else None
        return Renewal(doctor, request, print, confirm).run(read_token)


def _ask(question: str) -> bool:
    return input(question).strip().lower() in ("s", "si", "sí", "y", "yes")


if __name__ == "__main__":
    sys.exit(main())
