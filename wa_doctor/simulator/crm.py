"""The CRM's side of a simulated setup: the guide's credential table in a real PostgreSQL.

Used by the project's tests and by ``benchmarks/latency.py``, which both need databases holding
the table exactly as the guides create it.
"""

from __future__ import annotations

import uuid

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

CREDENTIAL_TABLE = """
CREATE SCHEMA IF NOT EXISTS crm;
CREATE TABLE crm.marketing_channel_credential (
    id serial PRIMARY KEY,
    canal_tipo text NOT NULL,
    phone_number_id text,
    access_token text,
    activo boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);
"""


def create_database(admin_url: str, prefix: str = "crm") -> str:
    """A new, empty database on the server of ``admin_url``; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_conninfo(admin_url, dbname=name)


def drop_database(admin_url: str, url: str) -> None:
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(str(name))))


def add_credentials(url: str, pairs: list[tuple[str, str]]) -> None:
    """The guide's table holding one active WhatsApp row per (token, phone number id)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(CREDENTIAL_TABLE)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO crm.marketing_channel_credential"
                " (canal_tipo, phone_number_id, access_token) VALUES ('whatsapp', %s, %s)",
                [(phone, token) for token, phone in pairs],
            )
