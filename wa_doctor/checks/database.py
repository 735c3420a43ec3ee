"""Checks on the CRM's credential table, from the one read-only query the run made."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ..doctor import Doctor
from ..errors import Blocked
from ..findings import Count, Finding, finding, findings_if
from ..registry import check, run_read
from ..table import CONNECTION_FINDINGS

if TYPE_CHECKING:
    from ..store import Role


def _error_finding(doctor: Doctor) -> Finding | None:
    error = doctor.require_database().error
    return Finding(error.finding_id, dict(error.params)) if error else None


@check(raises=["db.unreachable", "db.auth_failed"])
def database_reachable(doctor: Doctor) -> list[Finding]:
    found = _error_finding(doctor)
    return [found] if found and found.id in CONNECTION_FINDINGS else []


@check(raises=["db.table_missing", "db.column_missing", "db.timeout"])
def credential_table_readable(doctor: Doctor) -> list[Finding]:
    found = _error_finding(doctor)
    if found is None:
        return []
    if found.id in CONNECTION_FINDINGS:
        raise Blocked(found.id)
    return [found]


@check(raises=["db.no_active_credential", "db.too_many_rows"])
def active_credential_exists(doctor: Doctor) -> list[Finding]:
    """At least one active row, and all of them read (past ``MAX_ROWS`` the rest is counted
    out, and said)."""
    rows = doctor.require_rows()
    found = findings_if(not rows, "db.no_active_credential")
    if doctor.store.more_rows:
        found.append(finding("db.too_many_rows", rows=Count(len(rows))))
    return found


@check(raises=["db.duplicate_active_credential"])
def one_active_credential_per_phone_number(doctor: Doctor) -> list[Finding]:
    by_phone: dict[str, list[str]] = defaultdict(list)
    for row in doctor.require_rows():
        by_phone[(row.phone_number_id or "").strip()].append(str(row.id))
    return [
        finding(
            "db.duplicate_active_credential",
            phone_number_id=phone or "—",
            count=len(ids),
            row_ids=", ".join(ids),
        )
        for phone, ids in by_phone.items()
        if len(ids) > 1
    ]


@run_read
def connected_role(doctor: Doctor) -> Role:
    """The role the diagnosis connects as (a connection of its own); blocked when none can be
    made, read whether or not the table could be."""
    found = _error_finding(doctor)
    if found is not None and found.id in CONNECTION_FINDINGS:
        raise Blocked(found.id)
    from ..store import read_role  # only with a database: it loads the driver

    return read_role(str(doctor.config.database_url), doctor.spec, doctor.redactor)


@check(raises=["db.privileged_role"])
def connected_role_only_reads(doctor: Doctor) -> list[Finding]:
    """A superuser or the table's owner can undo any read-only guard: say so, with the SQL
    of a role that can only read."""
    role: Role = connected_role(doctor)
    why = [
        term
        for term, applies in (
            ("role_superuser", role.superuser),
            ("role_table_owner", role.owns_table),
        )
        if applies
    ]
    return findings_if(role.privileged, "db.privileged_role", role=role.name, why=why)
