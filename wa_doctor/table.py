"""What the CRM's credential table looks like: its name, its columns as the guide names them
(each can be renamed), and one row. No database driver here: a run without a database never
loads one (:mod:`wa_doctor.store` reads the table)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LOGICAL_COLUMNS = ("id", "phone_number_id", "access_token", "activo", "canal_tipo", "updated_at")
"""Column names as the guide's table has them; each can be renamed (``--wa-db-columns``)."""

CHANNEL = "whatsapp"
CONNECTION_FINDINGS = frozenset({"db.unreachable", "db.auth_failed"})
"""Findings that mean the database was never reached, so table checks are blocked by them."""


@dataclass(frozen=True)
class TableSpec:
    """Where the credentials live: schema, table and the real name of each logical column."""

    schema: str
    table: str
    columns: Mapping[str, str]

    @classmethod
    def parse(cls, qualified: str, renames: str = "") -> TableSpec:
        """``"crm.marketing_channel_credential"`` and ``"access_token=token,activo=active"``."""
        schema, _, table = qualified.strip().rpartition(".")
        columns = {name: name for name in LOGICAL_COLUMNS}
        for pair in filter(None, (part.strip() for part in renames.split(","))):
            logical, sep, actual = pair.partition("=")
            if not sep or logical.strip() not in columns or not actual.strip():
                raise ValueError(
                    f"--wa-db-columns: {pair!r} is not NAME=COLUMN with NAME one of "
                    f"{', '.join(LOGICAL_COLUMNS)}"
                )
            columns[logical.strip()] = actual.strip()
        return cls(schema or "public", table, columns)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"

    def context(self) -> dict[str, str]:
        """Placeholders for remedy texts and SQL: ``{table}``, ``{token_col}``, …"""
        c = self.columns
        return {
            "schema": self.schema,
            "table": self.qualified,
            "id_col": c["id"],
            "phone_col": c["phone_number_id"],
            "token_col": c["access_token"],
            "active_col": c["activo"],
            "channel_col": c["canal_tipo"],
            "updated_col": c["updated_at"],
        }


@dataclass(frozen=True)
class CredentialRow:
    """One active row. ``access_token`` is a secret: never print a row."""

    id: str
    phone_number_id: str | None
    access_token: str | None
    updated_at: Any

    def __repr__(self) -> str:
        return f"CredentialRow(id={self.id!r}, phone_number_id={self.phone_number_id!r})"
