"""The credentials a run diagnoses: every active database row, plus the environment's pair.

A credential never shows its token: ``key`` and ``label`` are made of the row id and the phone
number id only, and only when those are plain ids (a token pasted into the phone number id field
must not become a pytest id), so they are safe as pytest ids, JUnit names and report columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .identifiers import MetaId, meta_id
from .redaction import token_preview

_QUOTES = "'\"‘’“”"
BEARER = "bearer "


def clean_token(token: str | None) -> str | None:
    """The token as Meta would accept it: outer whitespace, quotes and ``Bearer `` removed.

    Graph checks use this form so a padded token still gets its validity diagnosed (the
    malformed-token check reports the padding separately).
    """
    if token is None:
        return None
    cleaned = token.strip().strip(_QUOTES).strip()
    if cleaned.lower().startswith(BEARER):
        cleaned = cleaned[len(BEARER) :].strip()
    return cleaned


@dataclass(frozen=True)
class Credential:
    """One token + phone number id pair to diagnose, and where it came from."""

    key: str
    source: str
    token: str | None
    phone_number_id: str | None
    token_source: str
    business_account_id: str | None = None
    row_id: Any = None
    row_name: str | None = None
    """The row id as labels show it (see :func:`database_credential`)."""
    phone_problems: tuple[str, ...] = ()
    """What is wrong with the configured phone number id (catalog terms); the raw value is
    never kept, since it may be a token pasted into the wrong field."""

    @property
    def from_database(self) -> bool:
        return self.row_id is not None

    @property
    def label(self) -> str:
        return self.key

    @property
    def clean_token(self) -> str | None:
        return clean_token(self.token)

    @property
    def token_preview(self) -> str:
        return token_preview(self.token)

    def __repr__(self) -> str:  # dataclass repr would print the token
        return f"Credential({self.key!r}, source={self.source!r}, token={self.token_preview})"

    def summary(self) -> dict[str, Any]:
        """The JSON report's view of this credential: never the token itself."""
        return {
            "label": self.label,
            "source": self.source,
            "token_source": self.token_source,
            "token_preview": self.token_preview,
            "phone_number_id": self.phone_number_id,
            "phone_number_id_problems": list(self.phone_problems),
            "row_id": self.row_name,
        }


_PLAIN_ROW_ID = re.compile(r"[A-Za-z0-9_\-]{1,40}")


def _key(prefix: str, phone: MetaId) -> str:
    if phone.usable:
        return f"{prefix}-{phone.usable}"
    return f"{prefix}-{'bad-phone-id' if phone.malformed else 'no-phone'}"


def _row_name(row_id: Any, ordinal: int) -> str:
    """The row id as it may appear in labels: a plain id (number, UUID), else its position."""
    text = str(row_id)
    return text if _PLAIN_ROW_ID.fullmatch(text) else f"#{ordinal}"


def database_credential(
    row: Any, table: str, business_account_id: str | None, ordinal: int = 1
) -> Credential:
    """A credential for one active row (the ``ordinal``-th) of the credential table."""
    name = _row_name(row.id, ordinal)
    phone = meta_id(row.phone_number_id)
    return Credential(
        key=_key(f"db{name}", phone),
        source=f"database {table} row {name}",
        token=row.access_token,
        phone_number_id=phone.usable,
        token_source=f"{table} row {name}",
        business_account_id=business_account_id,
        row_id=row.id,
        row_name=name,
        phone_problems=phone.problems,
    )


def environment_credential(
    token: str | None,
    token_source: str,
    phone_number_id: str | None,
    business_account_id: str | None,
) -> Credential:
    """The pair from ``WHATSAPP_ACCESS_TOKEN`` / ``WHATSAPP_PHONE_NUMBER_ID``."""
    phone = meta_id(phone_number_id)
    return Credential(
        key=_key("env", phone),
        source="environment",
        token=token,
        phone_number_id=phone.usable,
        token_source=token_source,
        business_account_id=business_account_id,
        phone_problems=phone.problems,
    )


def combine(env: Credential | None, rows: Iterable[Credential]) -> list[Credential]:
    """Database rows first, then the env pair unless a row already holds the same pair.

    With nothing configured at all the env credential is still diagnosed (it is empty), so the
    report has a failing 'token present' check that says what to set.
    """
    combined = list(rows)
    if env is None:
        return combined
    same_pair = any(
        c.phone_number_id == env.phone_number_id and c.clean_token == env.clean_token
        for c in combined
    )
    env_given = env.token is not None or env.phone_number_id is not None or env.phone_problems
    if not same_pair and (env_given or not combined):
        combined.append(env)
    return combined
