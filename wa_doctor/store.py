"""Read the CRM's WhatsApp credentials from PostgreSQL/Supabase, read-only.

Read-only is enforced three times over, so that no statement of ours or of the user's
(``--wa-failures-query``) can write or run long:

* the session is read-only for its whole life: the startup option
  ``default_transaction_read_only=on`` (with ``statement_timeout`` and
  ``idle_in_transaction_session_timeout``) holds even after a ``COMMIT``;
* every statement runs inside ``BEGIN READ ONLY`` with ``SET LOCAL statement_timeout``, rolled
  back at the end;
* every statement goes through the extended query protocol, which runs exactly one statement,
  so ``COMMIT; DELETE …`` is refused by PostgreSQL instead of split and run.

A transaction pooler (Supabase's port 6543, PgBouncer's 6432, or one that refuses startup options
with "unsupported startup parameter") gets the last two only: it shares server sessions, and
session settings must not reach another client through it.

The SQL is parameterised with identifiers quoted by psycopg, and no server-side prepared
statements are used, so it works through Supabase's transaction pooler. Failures become
:class:`~wa_doctor.errors.StoreError` carrying the matching ``db.*`` finding id, with the
password scrubbed from every message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from . import failures_query
from .background import Background, NotFinished
from .errors import StoreError
from .graph import as_int
from .passwords import url_password
from .redaction import Redactor
from .table import CHANNEL, CredentialRow, TableSpec

T = TypeVar("T")
_AUTH_STATES = {"28P01", "28000"}
_MISSING_TABLE_STATES = {"42P01", "3F000"}


MAX_VALUE = 4096
"""Characters of a row's value read at most (a real token is ~200-300): a value cut here is
reported too long, not read whole (a 20 MB "token" once took 48 s and 2.5 GB)."""

MAX_ROWS = 10_000
"""Active rows read at most, by id: a fleet this size is diagnosed in minutes; beyond it, the
rest is counted, not read (100,000 rows once took 7 GB and never finished)."""


def _select_active(spec: TableSpec) -> sql.Composed:
    """The active WhatsApp rows of the table (one more than :data:`MAX_ROWS`, to tell there are
    more), each value cut at one character over :data:`MAX_VALUE`; identifiers quoted by
    psycopg."""
    c = {key: sql.Identifier(name) for key, name in spec.columns.items()}
    cut = MAX_VALUE + 1
    return sql.SQL(
        "SELECT left({id}::text, {cut}), left({phone}::text, {cut}), left({token}::text, {cut}), "
        "{updated} FROM {schema}.{table} WHERE {channel} = %s AND {active} IS TRUE "
        "ORDER BY {id} LIMIT {rows}"
    ).format(
        cut=sql.Literal(cut),
        rows=sql.Literal(MAX_ROWS + 1),
        id=c["id"],
        phone=c["phone_number_id"],
        token=c["access_token"],
        updated=c["updated_at"],
        channel=c["canal_tipo"],
        active=c["activo"],
        schema=sql.Identifier(spec.schema),
        table=sql.Identifier(spec.table),
    )


UNREADABLE_URL = (
    "DATABASE_URL cannot be read as a connection URL: a character in the password or user needs "
    "percent-encoding (% as %25, @ as %40, a space as %20, / as %2F, : as %3A, # as %23)"
)


def reads_as_written(url: str) -> bool:
    """Whether libpq reads the URL as a person does. Where it cannot parse it, its message
    quotes the piece it choked on (the password, often); where it splits a raw ``@`` or ``/``
    elsewhere than the person who wrote it, it would send a piece of the password to a host
    named by another piece. Either way nothing is sent."""
    try:
        password = conninfo_to_dict(url).get("password")
    except Exception:
        return False
    written = url_password(url)
    return not written or password in (written, unquote(written))


def describe_target(url: str) -> str:
    """``user@host:port/dbname`` without the password, for messages."""
    if not reads_as_written(url):
        return "DATABASE_URL"
    try:
        parts = conninfo_to_dict(url)
    except Exception:
        return "DATABASE_URL (unparsable)"
    host = parts.get("host") or "localhost"
    where = f"{host}:{parts['port']}" if parts.get("port") else host
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"{user}{where}/{parts.get('dbname', '')}"


MAX_FAILURE_ROWS = 100_000
"""Rows of ``--wa-failures-query`` read at most: enough for any week of failures, bounded memory."""


def _read_only_options(timeout_ms: int) -> str:
    """Startup options that keep the whole session read-only and bounded, even after COMMIT."""
    return (
        f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms} "
        f"-c idle_in_transaction_session_timeout={timeout_ms} -c lock_timeout={timeout_ms}"
    )


POOLER_PORTS = frozenset({"6543", "6432"})
"""Supabase's transaction pooler and PgBouncer's usual port."""


def through_transaction_pooler(url: str) -> bool:
    """A transaction pooler shares server sessions between clients: session settings sent to
    it could outlive this connection, so it gets none (the per-transaction guards hold)."""
    try:
        parts = conninfo_to_dict(url)
    except Exception:
        return False
    return str(parts.get("port") or "") in POOLER_PORTS or "pooler" in str(parts.get("host"))


def _connect(url: str, timeout: float) -> psycopg.Connection[Any]:
    """Connect with the read-only startup options, except through a transaction pooler or
    where a pooler refuses them (the per-transaction guards then still hold)."""
    timeout_ms = max(1, int(timeout * 1000))
    common = {"connect_timeout": connect_timeout(timeout), "prepare_threshold": None}
    if through_transaction_pooler(url):
        return psycopg.connect(url, **common)
    try:
        return psycopg.connect(url, options=_read_only_options(timeout_ms), **common)
    except psycopg.OperationalError as exc:
        if "unsupported startup parameter" not in str(exc):
            raise
    return psycopg.connect(url, **common)


@contextmanager
def read_only_session(
    url: str, timeout: float, redactor: Redactor | None = None
) -> Iterator[psycopg.Cursor[Any]]:
    """A cursor inside a ``BEGIN READ ONLY`` transaction, in a read-only session, with a
    statement timeout (see the module's docstring for why three guards).

    Connection failures raise :class:`StoreError` at once (``db.unreachable``,
    ``db.auth_failed``…); errors of the statements run on the cursor propagate as
    :class:`psycopg.Error` for the caller to classify. The transaction is always rolled back.
    """
    target = describe_target(url)
    redact = redactor or Redactor()
    if not reads_as_written(url):
        raise StoreError(UNREADABLE_URL, db_target=target)
    try:
        conn = _connect(url, timeout)
    except psycopg.Error as exc:
        raise store_error(exc, redact, target, "") from None
    except (ValueError, OSError) as exc:  # an unparsable URL, or the OS refusing the socket
        raise StoreError(redact(f"{type(exc).__name__}: {exc}"), db_target=target) from None
    with conn:
        conn.read_only = True
        try:
            with conn.cursor() as cur:
                cur.execute(
                    sql.SQL("SET LOCAL statement_timeout = {}").format(
                        sql.Literal(f"{max(1, int(timeout * 1000))}ms")
                    )
                )
                yield cur
        finally:
            if not conn.closed and not conn.broken:
                conn.rollback()


def read_active_credentials(
    url: str, spec: TableSpec, redactor: Redactor, timeout: float = 5.0
) -> list[CredentialRow]:
    """Every active WhatsApp row, or :class:`StoreError` with the finding that explains why not."""

    def read(cur: psycopg.Cursor[Any]) -> list[CredentialRow]:
        cur.execute(_select_active(spec), (CHANNEL,))
        return [CredentialRow(*map(_text, row[:3]), row[3]) for row in cur.fetchall()]

    return _bounded_read(url, spec, redactor, timeout, read)


def _bounded_read(
    url: str,
    spec: TableSpec,
    redactor: Redactor,
    timeout: float,
    read: Callable[[psycopg.Cursor[Any]], T],
) -> T:
    """``read`` on a cursor of the read-only session, within the client's deadline, whatever
    fails a ``db.*`` finding about ``spec``'s table."""
    target = describe_target(url)

    def run() -> T:
        with read_only_session(url, timeout, redactor) as cur:
            return read(cur)

    try:
        return within(timeout, run, target, spec.qualified)
    except psycopg.Error as exc:
        raise store_error(exc, redactor, target, spec.qualified) from None


def _text(value: Any) -> str | None:
    """A text column as text: a database created with ``ENCODING 'SQL_ASCII'`` gives bytes."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return value


def within(timeout: float, read: Callable[[], T], target: str, table: str = "") -> T:
    """``read()``, or ``db.timeout`` once its deadline passes: the connect timeout plus the
    statement timeout and a second. PostgreSQL's own timeouts cannot stop a server (a hung
    pooler, say) that completed the handshake and then never answers: this deadline is kept
    by the client. The read goes on in a daemon thread, abandoned with its connection."""
    deadline = connect_timeout(timeout) + timeout + 1
    try:
        return Background(read, "wa-doctor-database").result(deadline)
    except NotFinished:
        raise StoreError(
            f"{target} did not answer within {deadline:g} s (connected, then nothing)",
            "db.timeout",
            db_target=target,
            table=table,
        ) from None


def connect_timeout(timeout: float) -> int:
    return max(2, int(timeout))


def store_error(exc: psycopg.Error, redactor: Redactor, target: str, table: str) -> StoreError:
    detail = redactor(" ".join(str(exc).split()))
    state = getattr(exc, "sqlstate", None)
    if state in _AUTH_STATES or "password authentication failed" in detail:
        finding = "db.auth_failed"
    elif state in _MISSING_TABLE_STATES or isinstance(exc, pg_errors.UndefinedTable):
        finding = "db.table_missing"
    elif isinstance(exc, pg_errors.UndefinedColumn):
        finding = "db.column_missing"
    elif isinstance(exc, pg_errors.QueryCanceled):
        finding = "db.timeout"
    else:
        finding = "db.unreachable"
    return StoreError(detail, finding, db_target=target, table=table)


def read_failures(
    url: str, query: str, redactor: Redactor, timeout: float = 5.0
) -> list[tuple[int | None, Any]]:
    """(error code, time) rows of the user's failure query, run in the read-only session.

    The query is the user's own SQL, so it is hostile until proven otherwise: ``stream`` sends
    it through the extended query protocol (exactly one statement; PostgreSQL refuses
    ``COMMIT; DELETE …``), inside the read-only transaction of a read-only session. Its errors
    are the query's (``db.query_failed`` with PostgreSQL's message), not the connection's.
    """
    target = describe_target(url)
    refused = failures_query.refusal(query)
    if refused:
        raise StoreError(refused, "db.query_failed", db_target=target)

    def read() -> list[tuple[int | None, Any]]:
        with read_only_session(url, timeout, redactor) as cur:
            cur.execute(_POWERS)
            if any(cur.fetchone() or (True,)):
                raise StoreError(POWERFUL_ROLE, "db.query_failed", db_target=target)
            try:
                rows = []
                # bytes: psycopg sends the text as is, with no placeholder parsing
                for row in cur.stream(query.encode()):
                    if not row:
                        raise StoreError(NO_COLUMNS, "db.query_failed", db_target=target)
                    rows.append((as_int(_text(row[0])), row[1] if len(row) > 1 else None))
                    if len(rows) >= MAX_FAILURE_ROWS:
                        break
                return rows
            except psycopg.Error as exc:
                if isinstance(exc, pg_errors.QueryCanceled):
                    raise store_error(exc, redactor, target, "--wa-failures-query") from None
                detail = redactor(" ".join(str(exc).split()) or type(exc).__name__)
                raise StoreError(detail, "db.query_failed", db_target=target) from None

    return within(timeout, read, target, "--wa-failures-query")


_POWERS = """
SELECT r.rolsuper,
       pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER'),
       pg_has_role(current_user, 'pg_read_server_files', 'MEMBER'),
       pg_has_role(current_user, 'pg_write_server_files', 'MEMBER'),
       pg_has_role(current_user, 'pg_signal_backend', 'MEMBER')
FROM pg_roles r WHERE r.rolname = current_user
"""
"""The powers that reach beyond a read-only transaction: run programs or read files on the
server (``COPY … TO PROGRAM``, ``pg_read_file``), signal other sessions."""

POWERFUL_ROLE = (
    "the failures query is run only as a role that can just read: this one is a superuser, or "
    "may run programs, read or write the server's files, or end other sessions (create the "
    "reader role of db.privileged_role and use its URL)"
)

NO_COLUMNS = "the query returns rows without columns: its first column must be the error code"


@dataclass(frozen=True)
class Role:
    """Who the doctor is connected as, and whether that role is more than a reader."""

    name: str
    superuser: bool
    owns_table: bool

    @property
    def privileged(self) -> bool:
        return self.superuser or self.owns_table


_ROLE = """
SELECT current_user::text, r.rolsuper,
       coalesce((SELECT pg_has_role(current_user, c.relowner, 'USAGE')
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = %s AND c.relname = %s), false)
FROM pg_roles r WHERE r.rolname = current_user
"""


def read_role(url: str, spec: TableSpec, redactor: Redactor, timeout: float = 5.0) -> Role:
    """The connected role: a superuser's read-only transaction still runs ``COPY … TO
    PROGRAM``, and a table owner can switch read-only off, so both deserve a warning."""

    def read(cur: psycopg.Cursor[Any]) -> tuple[Any, ...]:
        cur.execute(_ROLE, (spec.schema, spec.table))
        return tuple(cur.fetchone() or ("?", False, False))

    name, superuser, owner = _bounded_read(url, spec, redactor, timeout, read)
    return Role(str(name), bool(superuser), bool(owner))


EXPOSED_ROLES = ("anon", "authenticated")
"""Supabase's API roles: anyone holding the public anon key acts as one of them."""

_PRIVILEGES = """
SELECT r.rolname,
       c.relrowsecurity,
       has_schema_privilege(r.oid, n.oid, 'USAGE') AND has_table_privilege(r.oid, c.oid, 'SELECT')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_roles r ON r.rolname = ANY(%s)
WHERE n.nspname = %s AND c.relname = %s
ORDER BY r.rolname
"""

_PUBLIC_POLICIES = """
SELECT policyname, roles::text[], cmd, coalesce(qual, 'true')
FROM pg_policies
WHERE schemaname = %s AND tablename = %s AND cmd IN ('SELECT', 'ALL')
  AND roles && %s::name[]
ORDER BY policyname
"""


@dataclass(frozen=True)
class TableExposure:
    """Who outside the server can read the credential table, from PostgreSQL's catalogs."""

    rls_enabled: bool
    readers: tuple[str, ...]
    """API roles that can SELECT from the table (schema usage and table privilege)."""
    public_policies: tuple[tuple[str, str], ...]
    """(policy name, USING expression) of policies that let API roles or PUBLIC select."""


def read_exposure(
    url: str, spec: TableSpec, redactor: Redactor, timeout: float = 5.0
) -> TableExposure:
    """Read-only catalog queries; no row of the table itself is read."""
    roles = list(EXPOSED_ROLES)

    def read(cur: psycopg.Cursor[Any]) -> tuple[list[Any], list[tuple[str, str]]]:
        cur.execute(_PRIVILEGES, (roles, spec.schema, spec.table))
        privileges = cur.fetchall()
        cur.execute(_PUBLIC_POLICIES, (spec.schema, spec.table, [*roles, "public"]))
        return privileges, [(str(_text(r[0])), str(_text(r[3]))) for r in cur.fetchall()]

    privileges, policies = _bounded_read(url, spec, redactor, timeout, read)
    rls = bool(privileges[0][1]) if privileges else False
    readers = tuple(str(row[0]) for row in privileges if row[2])
    return TableExposure(rls, readers, tuple(policies))
