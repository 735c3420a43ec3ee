"""The credentials a run diagnoses: every active database row, plus the environment's pair.

A credential never shows its token: ``key`` and ``label`` are made of the row id and the phone
number id only, so they are safe as pytest ids, JUnit names and report columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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
            "row_id": self.row_id,
        }


def _key(prefix: str, phone_number_id: str | None) -> str:
    phone = (phone_number_id or "").strip() or "no-phone"
    return f"{prefix}-{phone}"


def database_credential(row: Any, table: str, business_account_id: str | None) -> Credential:
    """A credential for one active row of the credential table."""
    return Credential(
        key=_key(f"db{row.id}", row.phone_number_id),
        source=f"database {table} row {row.id}",
        token=row.access_token,
        phone_number_id=(row.phone_number_id or "").strip() or None,
        token_source=f"{table} row {row.id}",
        business_account_id=business_account_id,
        row_id=row.id,
    )


def environment_credential(
    token: str | None,
    token_source: str,
    phone_number_id: str | None,
    business_account_id: str | None,
) -> Credential:
    """The pair from ``WHATSAPP_ACCESS_TOKEN`` / ``WHATSAPP_PHONE_NUMBER_ID``."""
    return Credential(
        key=_key("env", phone_number_id),
        source="environment",
        token=token,
        phone_number_id=(phone_number_id or "").strip() or None,
        token_source=token_source,
        business_account_id=business_account_id,
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
    env_given = env.token is not None or env.phone_number_id is not None
    if not same_pair and (env_given or not combined):
        combined.append(env)
    return combined
