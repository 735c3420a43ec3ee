"""What Meta says about a token, from one ``GET /debug_token``.

Meta reports a dead token in two shapes (reference section 3): with an app token as caller,
debug_token answers HTTP 200 with ``data.is_valid: false`` and ``data.error {code, subcode}``;
when the token inspects itself, the *request* fails with the 190 error object
(``error_subcode``). :func:`inspect` folds both into one :class:`TokenInfo`, so checks read a
single shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import GraphApiError, GraphError
from .graph import GraphSession, as_int
from .identifiers import meta_id

REQUIRED_SCOPES = ("whatsapp_business_messaging", "whatsapp_business_management")
RECOMMENDED_SCOPES = ("business_management",)
SYSTEM_USER = "SYSTEM_USER"


@dataclass(frozen=True)
class TokenInfo:
    """The fields of debug_token's ``data`` this tool uses, parsed defensively."""

    is_valid: bool
    app_id: str | None = None
    application: str | None = None
    type: str | None = None
    expires_at: int | None = None
    issued_at: int | None = None
    data_access_expires_at: int | None = None
    user_id: str | None = None
    scopes: tuple[str, ...] = ()
    targets: Mapping[str, tuple[str, ...] | None] = field(default_factory=dict)
    """Scope → WABA ids it is limited to; None when the grant is not limited (no target_ids)."""
    error_code: int | None = None
    error_subcode: int | None = None
    error_message: str = ""

    @property
    def never_expires(self) -> bool:
        return not self.expires_at

    @property
    def lifetime_days(self) -> int | None:
        """How long the token was issued for, when Meta says when it was issued."""
        if not self.expires_at or not self.issued_at or self.expires_at <= self.issued_at:
            return None
        return (self.expires_at - self.issued_at) // 86_400

    @classmethod
    def from_debug(cls, data: Any) -> TokenInfo:
        if not isinstance(data, Mapping):
            raise GraphError("debug_token answered without a 'data' object", "graph.bad_response")
        error = data.get("error") if isinstance(data.get("error"), Mapping) else {}
        targets: dict[str, tuple[str, ...] | None] = {}
        for grant in _list(data.get("granular_scopes")):
            if isinstance(grant, Mapping) and isinstance(grant.get("scope"), str):
                ids = grant.get("target_ids")
                # ids from an answer are hostile too: only digits may later enter a URL
                targets[grant["scope"]] = (
                    tuple(i for i in map(str, ids) if meta_id(i).usable == i)
                    if isinstance(ids, list)
                    else None
                )
        return cls(
            is_valid=data.get("is_valid") is True,
            app_id=_str(data.get("app_id")),
            application=_str(data.get("application")),
            type=_str(data.get("type")),
            expires_at=as_int(data.get("expires_at")),
            issued_at=as_int(data.get("issued_at")),
            data_access_expires_at=as_int(data.get("data_access_expires_at")),
            user_id=_str(data.get("user_id")),
            scopes=tuple(s for s in _list(data.get("scopes")) if isinstance(s, str)),
            targets=targets,
            error_code=as_int(error.get("code")),
            error_subcode=as_int(error.get("subcode", error.get("error_subcode"))),
            error_message=_str(error.get("message")) or "",
        )

    @classmethod
    def from_rejection(cls, error: GraphApiError) -> TokenInfo:
        return cls(
            is_valid=False,
            error_code=error.code,
            error_subcode=error.subcode,
            error_message=error.meta_message,
        )

    def limited_wabas(self) -> tuple[str, ...] | None:
        """WABA ids the WhatsApp scopes are limited to, or None when not limited to any list."""
        limits = [self.targets.get(s) for s in REQUIRED_SCOPES if s in self.targets]
        lists = [ids for ids in limits if ids is not None]
        if not lists:
            return None
        return tuple(dict.fromkeys(i for ids in lists for i in ids))  # Meta's order: newest first


def inspect(session: GraphSession, token: str, app_token: str | None = None) -> TokenInfo:
    """debug_token for ``token``, called with the app token when there is one, else itself."""
    caller = app_token or token
    try:
        body = session.get("debug_token", caller, {"input_token": token})
    except GraphApiError as error:
        if error.code == 190 and caller == token:
            return TokenInfo.from_rejection(error)
        if error.code == 190 and caller != token:
            # the app token itself was refused (a wrong WHATSAPP_APP_SECRET, reported as its own
            # finding): that says nothing about the user's token, so let it inspect itself
            return inspect(session, token)
        raise
    return TokenInfo.from_debug(body.get("data"))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return str(value) if value is not None and not isinstance(value, dict | list) else None
