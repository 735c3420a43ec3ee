"""The project's only write to the CRM's database: ``wa-doctor renew-token`` setting one row's
token. Everything else reads, through :mod:`.store`'s read-only sessions; this module is the one
place a writing session is opened, and it is opened only for this statement."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from .errors import StoreError
from .redaction import Redactor
from .store import connect_timeout, describe_target, store_error
from .table import CHANNEL, TableSpec


def replace_token(
    url: str,
    spec: TableSpec,
    row_id: str,
    read_updated_at: Any,
    token: str,
    redactor: Redactor,
    timeout: float = 5.0,
) -> Any:
    """The project's only write: set one row's token, if the row is as it was read.

    One transaction, one row by id, still an active WhatsApp row, and ``updated_at`` equal to
    what was read (optimistic concurrency: a change made meanwhile, say a colleague's renewal,
    is never overwritten). Returns the new ``updated_at``; raises ``db.concurrent_update`` when
    the row changed or went away, so nothing is written.
    """
    c = {key: sql.Identifier(name) for key, name in spec.columns.items()}
    statement = sql.SQL(
        "UPDATE {schema}.{table} SET {token} = %s, {updated} = now() "
        "WHERE {id}::text = %s AND {updated} IS NOT DISTINCT FROM %s "
        "AND {channel} = %s AND {active} IS TRUE RETURNING {updated}"
    ).format(
        schema=sql.Identifier(spec.schema),
        table=sql.Identifier(spec.table),
        token=c["access_token"],
        updated=c["updated_at"],
        id=c["id"],
        channel=c["canal_tipo"],
        active=c["activo"],
    )
    target = describe_target(url)
    try:
        with (
            psycopg.connect(
                url, connect_timeout=connect_timeout(timeout), prepare_threshold=None
            ) as conn,
            conn.transaction(),
        ):
            conn.execute(
                sql.SQL("SET LOCAL statement_timeout = {}").format(
                    sql.Literal(f"{int(timeout * 1000)}ms")
                )
            )
            written = conn.execute(statement, (token, str(row_id), read_updated_at, CHANNEL))
            row = written.fetchone()
            if row is None or written.rowcount != 1:
                raise StoreError(
                    f"row {row_id} of {spec.qualified} changed since it was read",
                    "db.concurrent_update",
                    row_id=row_id,
                    table=spec.qualified,
                )
            return row[0]
    except psycopg.Error as exc:
        raise store_error(exc, redactor, target, spec.qualified) from None
