"""The ``wa-doctor`` subcommands besides ``check``: ``explain``, ``scan``, ``checks``,
``token-info`` and ``renew-token``. Imported only when one of them runs, so that ``wa-doctor
check`` starts without what they need (the database driver, the explainer)."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import getpass
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from . import file_scan, tokens
from .catalog import load as load_catalog
from .checks import configuration, prerequisites
from .checks import token as token_checks
from .cli import USAGE_ERROR, language, today
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
    webhook_changes,
)
from .findings import Finding, Outcome, Severity
from .redaction import RedactingLogRecordFactory, Redactor, one_line, plain_text
from .renewal import Renewal, RenewRequest
from .runner import run_check


def explain_command(args: argparse.Namespace) -> int:
    """``wa-doctor explain``: a finding id, an error code or a logged error, each distinct
    error once; ``--list``: every finding id with its title."""
    if args.list:
        catalog = load_catalog()
        lang = language(args)
        ids = sorted(catalog.ids)  # by area, as the README's tables group them
        width = max(map(len, ids), default=0)
        print("\n".join(f"{i:<{width}}  {catalog.render(Finding(i), lang).title}" for i in ids))
        return 0
    lang = language(args)
    by_id = explain_finding(args.error.strip(), lang)
    if by_id is not None:  # a finding id, as the reports print them
        print(format_remedy(by_id, Redactor()))
        return 0
    labels = load_catalog()
    try:
        text, unread = _explain_input(args.error)
    except ExplainError as exc:
        return _unexplained(exc)
    try:
        found = distinct(parse(text))
    except ExplainError as exc:
        changes = webhook_changes(text)
        if not changes:
            return _unexplained(exc)
        # a webhook with no bad news in it: nothing to fix, and what it did say
        print(labels.label("explain_webhook_fine", lang).format(changes="; ".join(changes)))
        return 0
    redact = Redactor()
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


def _unexplained(error: ExplainError) -> int:
    print(f"wa-doctor explain: {error}", file=sys.stderr)
    return USAGE_ERROR


def scan_files(args: argparse.Namespace) -> int:
    """``wa-doctor scan``: each finding in the files with its remedy, and each file that could
    not be read; 1 when a finding fails. The tokens found are what the output must not show."""
    lang = language(args)
    found = file_scan.scan(map(Path, args.files), load_catalog(), today())
    redact = Redactor(sorted(found.tokens))
    for path, why in found.unread:
        print(
            redact(one_line(plain_text(f"wa-doctor scan: {path}: {why}, not read"))),
            file=sys.stderr,
        )
    remedies = [render_offline(f, lang) for f in found.findings]
    failing = {Severity.ERROR} | ({Severity.WARNING} if args.fail_on == "warning" else set())
    if remedies:
        print("\n\n".join(format_remedy(remedy, redact) for remedy in remedies))
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
