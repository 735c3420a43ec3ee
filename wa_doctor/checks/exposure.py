"""Is the token safe where it is kept? Read-only checks of the table's grants and the env.

Supabase publishes tables through its HTTP API to the ``anon`` and ``authenticated`` roles; the
anon key ships in every web front end. A credential table readable by them without row-level
security hands a never-expiring token to the whole internet (Supabase's own linter flags the
same, lints 0013/0023).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..doctor import Doctor
from ..env_files import assignment_line, read_env_files
from ..errors import NotApplicable
from ..findings import Finding, findings_if
from ..registry import check, run_read
from .repository import app_dir, git, grep, shown_places

if TYPE_CHECKING:
    from ..store import TableExposure

PUBLIC_PREFIXES = ("NEXT_PUBLIC_", "VITE_", "REACT_APP_", "PUBLIC_", "EXPO_PUBLIC_")
"""Variables with these prefixes are compiled into browser bundles by their frameworks."""


@run_read
def table_exposure(doctor: Doctor) -> TableExposure:
    """Who outside the server can read the credential table (read-only catalog queries)."""
    doctor.require_rows()  # blocked when the table itself could not be read
    from ..store import read_exposure  # only with a database: it loads the driver

    return read_exposure(str(doctor.config.database_url), doctor.spec, doctor.redactor)


@check(raises=["exposure.rls_disabled"])
def credential_table_not_public(doctor: Doctor) -> list[Finding]:
    exposure: TableExposure = table_exposure(doctor)
    return findings_if(
        not exposure.rls_enabled and bool(exposure.readers),
        "exposure.rls_disabled",
        roles=", ".join(exposure.readers),
    )


@check(raises=["exposure.policy_allows_public"])
def no_public_read_policy(doctor: Doctor) -> list[Finding]:
    exposure: TableExposure = table_exposure(doctor)
    policies = "; ".join(f"{name} (USING {using})" for name, using in exposure.public_policies)
    return findings_if(
        exposure.rls_enabled and bool(exposure.public_policies),
        "exposure.policy_allows_public",
        policies=policies,
    )


@check(raises=["exposure.plaintext_token"])
def token_not_in_plain_text(doctor: Doctor) -> list[Finding]:
    rows = doctor.require_rows()
    return findings_if(any(r.access_token for r in rows), "exposure.plaintext_token")


@check(raises=["exposure.public_env_name"])
def token_not_in_public_variable(doctor: Doctor) -> list[Finding]:
    """The token's value under a NEXT_PUBLIC_/VITE_/… name, in the environment or .env files.
    The environment is checked wherever the doctor runs (CI runs it in its own folder); the
    files only in the CRM's folder."""
    tokens = _tokens(doctor)
    try:
        folder = app_dir(doctor)
        file_values, origins, _ = read_env_files(folder)
    except NotApplicable:  # the doctor's own folder: its .env files are not the CRM's
        folder, file_values, origins = doctor.config.app_folder, {}, {}
    found = [
        (name, _where(folder, origin_of[name], name) if origin_of else None)
        for values, origin_of in ((os.environ, None), (file_values, origins))
        for name, value in values.items()
        if name.startswith(PUBLIC_PREFIXES) and value.strip().strip("'\"") in tokens
    ]
    return findings_if(
        bool(found),
        "exposure.public_env_name",
        places=", ".join(f"{name} ({where or 'environment'})" for name, where in found),
        locations=tuple(where for _, where in found if where),
    )


def _where(folder: Path, file: str, name: str) -> str:
    """``.env.local:3``: the file and line that assign ``name`` (the file alone if unknown)."""
    line = assignment_line(folder / file, name)
    return f"{file}:{line}" if line else file


def _tokens(doctor: Doctor) -> set[str]:
    return {c.clean_token for c in doctor.credentials if c.clean_token}


@check(raises=["exposure.env_file_tracked"])
def env_files_not_tracked(doctor: Doctor) -> list[Finding]:
    """A .env* file holding the token must be neither tracked nor left out of .gitignore."""
    tokens = _tokens(doctor)
    folder = app_dir(doctor)
    holding = [
        path.name
        for path in sorted(folder.glob(".env*"))
        if path.is_file() and any(t in path.read_text("utf-8", errors="replace") for t in tokens)
    ]
    exposed: dict[str, str] = {}
    for name in holding:
        tracked = git(doctor, "ls-files", "--error-unmatch", "--", name).returncode == 0
        ignored = git(doctor, "check-ignore", "-q", "--", name).returncode == 0
        if tracked or not ignored:
            exposed[name] = f"{name} ({'tracked' if tracked else 'not in .gitignore'})"
    return findings_if(
        bool(exposed),
        "exposure.env_file_tracked",
        files=", ".join(exposed.values()),
        locations=tuple(exposed),
    )


@check(raises=["exposure.token_in_source"])
def token_not_in_source(doctor: Doctor) -> list[Finding]:
    """git grep for the exact token in tracked files; only file and line are kept."""
    app_dir(doctor)  # the CRM's folder, or not checked
    tokens = _tokens(doctor)
    if not tokens:
        return []
    found = grep(doctor, "-F", "-f", "-", "--", ".", stdin="\n".join(tokens))
    places = [f"{file}:{line}" for file, line, _ in found]
    return findings_if(
        bool(places),
        "exposure.token_in_source",
        places=shown_places(places),
        locations=tuple(places),
    )
