"""Checks on the configured values themselves: no network, no database round trip."""

from __future__ import annotations

from collections.abc import Callable

from ..credentials import BEARER, Credential, clean_token
from ..doctor import Doctor
from ..errors import Blocked, NotApplicable
from ..findings import Finding, finding, findings_if
from ..registry import check
from ..settings import MAX_VALUE_LENGTH, SETTINGS_BY_NAME
from .prerequisites import missing_token, sendable

MIN_TOKEN_LENGTH = 50
"""Meta user and System User tokens are ~180-300 characters; under 50 is a truncated copy."""

_QUOTES = "'\"‘’“”"

TOKEN_PROBLEMS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("leading_whitespace", lambda t: t[:1].isspace()),
    ("trailing_whitespace", lambda t: t[-1:].isspace()),
    ("quotes", lambda t: t.strip()[:1] in _QUOTES or t.strip()[-1:] in _QUOTES),
    ("bearer_prefix", lambda t: t.strip().strip(_QUOTES).lower().startswith(BEARER)),
    ("inner_whitespace", lambda t: any(ch.isspace() for ch in clean_token(t) or "")),
    ("preview_copied", lambda t: (clean_token(t) or "").endswith(("...", "…"))),
    ("non_ascii", lambda t: not sendable((clean_token(t) or "").rstrip("…"))),
    ("too_short", lambda t: len(clean_token(t) or "") < MIN_TOKEN_LENGTH),
    ("too_long", lambda t: len(clean_token(t) or "") > MAX_VALUE_LENGTH),
)
"""What a mis-copied token looks like (the guide's "token mal copiado"), in report order."""


@check(raises=["config.missing_token", "db.empty_token"])
def token_present(doctor: Doctor, credential: Credential) -> list[Finding]:
    missing = missing_token(credential)
    return [missing] if missing else []


@check(raises=["config.missing_phone_number_id"])
def phone_number_id_present(doctor: Doctor, credential: Credential) -> list[Finding]:
    given = credential.phone_number_id or credential.phone_problems
    return findings_if(not given, "config.missing_phone_number_id")


@check(raises=["config.malformed_phone_number_id"])
def phone_number_id_well_formed(doctor: Doctor, credential: Credential) -> list[Finding]:
    """Digits only, as stored: anything else never reaches a Graph URL (see identifiers)."""
    source = doctor.config.source("phone_number_id")
    return findings_if(
        bool(credential.phone_problems),
        "config.malformed_phone_number_id",
        looks_like=list(credential.phone_problems),
        value_source=credential.source if credential.from_database else source,
    )


@check(raises=["config.malformed_id"])
def meta_ids_well_formed(doctor: Doctor) -> list[Finding]:
    """The WABA and app ids, digits only: one finding per malformed setting."""
    return [
        finding(
            "config.malformed_id",
            setting=SETTINGS_BY_NAME[name].env,
            value_source=doctor.config.source(name),
            looks_like=list(configured.problems),
        )
        for name, configured in doctor.meta_ids.items()
        if configured.malformed
    ]


@check(raises=["config.malformed_token"])
def token_well_formed(doctor: Doctor, credential: Credential) -> list[Finding]:
    missing = missing_token(credential)
    if missing is not None:
        raise Blocked(missing.id)
    token = credential.token or ""
    problems = [name for name, applies in TOKEN_PROBLEMS if applies(token)]
    return findings_if(bool(problems), "config.malformed_token", problems=problems)


@check(raises=["config.source_mismatch"])
def env_and_database_tokens_agree(doctor: Doctor) -> list[Finding]:
    """The env token and the DB row for the same phone number id must be the same token."""
    env = doctor.env
    rows = [c for c in doctor.credentials if c.from_database]
    if env.token is None or not rows:
        raise NotApplicable("skip_no_env_and_database")
    return [
        finding(
            "config.source_mismatch",
            phone_number_id=row.phone_number_id,
            row_id=row.row_id,
            env_preview=env.token_preview,
            env_source=env.token_source,
            db_preview=row.token_preview,
        )
        for row in rows
        if row.phone_number_id == env.phone_number_id and row.clean_token != env.clean_token
    ]


@check(raises=["config.env_file_invalid"])
def env_files_readable(doctor: Doctor) -> list[Finding]:
    problems = doctor.config.env_file_problems
    return findings_if(bool(problems), "config.env_file_invalid", detail="; ".join(problems))


@check(raises=["config.credential_not_found"])
def credential_selected(doctor: Doctor) -> list[Finding]:
    """``--wa-credential`` must name a credential that exists, or nothing would be diagnosed."""
    wanted = doctor.config.credential
    if not wanted:
        raise NotApplicable("skip_no_credential_option")
    return findings_if(
        not doctor.credentials,
        "config.credential_not_found",
        wanted=wanted,
        available=", ".join(c.key for c in doctor.available) or "—",
        example=doctor.available[0].key if doctor.available else "db1-106540352242922",
    )


@check(raises=["config.baseline_unusable"])
def baseline_usable(doctor: Doctor) -> list[Finding]:
    """The previous report to compare with can be used (none at all is the first run: fine)."""
    if doctor.baseline_skipped is not None:
        raise NotApplicable(doctor.baseline_skipped)
    if doctor.baseline_problem is None:
        return []
    path, reason = doctor.baseline_problem
    return [finding("config.baseline_unusable", path=path, reason=[reason])]
