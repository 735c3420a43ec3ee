"""What the checks build on, for one credential, in one place: the configured values a request
needs, the Graph resources, and what is derived from them (reference sections 3 and 4).

Each prerequisite names what it builds on by its parameters (see :mod:`wa_doctor.registry`), so
the prefetch plan is exactly what the functions receive. A prerequisite that cannot be read
raises: a :class:`~wa_doctor.errors.Blocked` or :class:`~wa_doctor.errors.NotApplicable` naming
the root cause, or the Graph error of its own request, which the check that reports it lets
through and every other check turns into "blocked by" (:func:`read_or_blocked`).

The WABA's combined read: asked one by one, the WABA, its phone list, its subscribed apps and the
number itself were four requests per credential after ``debug_token``, which at eight in flight
decided how long a large fleet took. Graph's field expansion (``phone_numbers{…}``) answers them
in one. That answer is trusted only where it is an answer: when the combined read fails, or
leaves a part out (Graph omits an empty edge), each part is asked on its own, so every error and
empty list is the one the part's own request gives and the diagnosis is the same as with four
requests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .. import tokens
from ..baseline import fact
from ..credentials import Credential, clean_token
from ..doctor import Doctor
from ..errors import Blocked, GraphApiError, NotApplicable
from ..findings import Finding, finding, findings_if
from ..registry import prerequisite, read_or_blocked
from ..settings import MAX_VALUE_LENGTH

__all__ = ["read_or_blocked"]

WABA_FIELDS = "account_review_status,business_verification_status"
PHONE_FIELDS = ",".join(
    (
        "id",
        "display_phone_number",
        "verified_name",
        "is_on_biz_app",
        "quality_rating",
        "code_verification_status",
        "name_status",
        "status",
        "account_mode",
        "platform_type",
        "throughput",
        "whatsapp_business_manager_messaging_limit",
        "health_status",
        "webhook_configuration",
    )
)
"""Asked explicitly: without ``fields`` Meta returns only four of them (S-SPEC).
``webhook_configuration`` is the field Meta's "Webhook overrides" page reads on the number."""
APPS_FIELDS = "whatsapp_business_api_data{id}"
COMBINED = "GET /{waba-id}?fields=…,phone_numbers{…},subscribed_apps{…}"
ALONE = "(only when the combined read leaves it out)"
"""The combined read, and a part asked on its own, in words, for the listing of checks."""


# --- Configured values --------------------------------------------------------------------------


def missing_token(credential: Credential) -> Finding | None:
    """The finding that a credential has no usable token, or None when it has one."""
    if credential.token is not None and credential.token.strip():
        return None
    if credential.from_database:
        return finding("db.empty_token", row_id=credential.row_id)
    return finding("config.missing_token")


def sendable(token: str) -> bool:
    """Whether a cleaned token can travel in a request: printable ASCII, as Meta's are, and
    not the size of a file."""
    return token.isascii() and token.isprintable() and len(token) <= MAX_VALUE_LENGTH


def require_token(credential: Credential) -> str:
    """The credential's cleaned token; checks that need one are blocked without it, and by a
    token no HTTP request can carry (a zero-width space or an NBSP pasted into it): the
    malformed-token finding says why, once, instead of every Graph check failing on it."""
    missing = missing_token(credential)
    if missing is not None:
        raise Blocked(missing.id)
    token = clean_token(credential.token) or ""
    if not sendable(token):
        raise Blocked("config.malformed_token")
    return token


def require_phone_id(credential: Credential) -> str:
    """The phone number id's digits; blocked when it is missing or not an id."""
    if not credential.phone_number_id:
        malformed = bool(credential.phone_problems)
        raise Blocked(
            "config.malformed_phone_number_id" if malformed else "config.missing_phone_number_id"
        )
    return credential.phone_number_id


def require_usable_id(doctor: Doctor, name: str) -> str | None:
    """A run-wide id's digits (None when not configured); blocked when it is malformed."""
    configured = doctor.meta_ids[name]
    if configured.given and configured.usable is None:
        raise Blocked("config.malformed_id")
    return configured.usable


# --- The token ----------------------------------------------------------------------------------


@prerequisite(request="GET /debug_token")
def token_info(doctor: Doctor, credential: Credential) -> tokens.TokenInfo:
    """Meta's view of the credential's token (one request per token per run)."""
    return tokens.inspect(doctor.graph, require_token(credential), doctor.app_token)


def invalid_finding(doctor: Doctor, info: tokens.TokenInfo) -> Finding | None:
    """The finding for a dead token, by its 190 subcode (token.invalid when none matches)."""
    if info.is_valid:
        return None
    found = doctor.catalog.for_graph_error(info.error_code or 190, info.error_subcode)
    if not found or not found.startswith("token."):
        found = "token.invalid"
    return finding(found, meta_message=info.error_message or "—")


@prerequisite()
def valid_token(
    doctor: Doctor, credential: Credential, token_info: tokens.TokenInfo
) -> tokens.TokenInfo:
    """The token's info; what needs a live token is blocked by its root cause."""
    dead = invalid_finding(doctor, token_info)
    if dead is not None:
        raise Blocked(dead.id)
    return token_info


def waba_not_granted(info: tokens.TokenInfo, waba: str) -> list[Finding]:
    """The finding that the token's granular scopes leave ``waba`` out (none when they cover
    it or are not limited)."""
    limited = info.limited_wabas()
    return findings_if(
        limited is not None and waba not in limited,
        "token.waba_not_granted",
        waba_id=waba,
        granted_wabas=", ".join(limited or ()),
    )


@prerequisite()
def granted_token(
    doctor: Doctor, credential: Credential, valid_token: tokens.TokenInfo
) -> tokens.TokenInfo:
    """A live token that covers the configured WABA: what phone and template reads need."""
    waba = credential.business_account_id
    if waba and waba_not_granted(valid_token, waba):
        raise Blocked("token.waba_not_granted")
    return valid_token


@prerequisite()
def waba_id(doctor: Doctor, credential: Credential, granted_token: tokens.TokenInfo) -> str:
    """The configured WABA, else the first the token is limited to (S-MGMT: newest first)."""
    require_usable_id(doctor, "business_account_id")
    waba = credential.business_account_id or next(iter(granted_token.limited_wabas() or ()), None)
    if not waba:
        raise NotApplicable("skip_no_waba")
    return waba


# --- The WABA -----------------------------------------------------------------------------------


@prerequisite(request=COMBINED, optional=True)
def waba_overview(doctor: Doctor, credential: Credential, waba_id: str) -> dict[str, Any]:
    """Graph's answer for the WABA with both edges nested (one request); None when it cannot be
    read, and each part is then asked on its own.

    Not retried: each part has its own request to fall back on, and the error a large nested
    read can get ("Please reduce the amount of data you're asking for", code 1, HTTP 500)
    looks transient but comes back every time."""
    while True:
        phone = _asked(doctor, PHONE_FIELDS)
        fields = f"{WABA_FIELDS},phone_numbers{{{phone}}},subscribed_apps{{{APPS_FIELDS}}}"
        try:
            params = {"fields": fields}
            return doctor.graph.get(waba_id, require_token(credential), params, retry=False)
        except GraphApiError as error:
            if not _drop_lacking(doctor, error, phone, PHONE_NODE):
                raise


def _asked(doctor: Doctor, fields: str) -> str:
    """``fields`` but those the version asked lacks (see :attr:`Doctor.fields_lacking`)."""
    return ",".join(f for f in fields.split(",") if f not in doctor.fields_lacking)


def _drop_lacking(doctor: Doctor, error: GraphApiError, asked: str, node: str | None) -> bool:
    """Whether Graph refused the read for a field it lacks that was asked (now left out of
    every read of the run), so that the read is worth asking again without it."""
    lacking = field_lacking(error, node) if error.code == 100 else None
    if lacking is None or lacking == "id" or lacking not in asked.split(","):
        return False
    doctor.fields_lacking.add(lacking)
    return True


def _part_or_alone(
    doctor: Doctor,
    credential: Credential,
    overview: dict[str, Any] | None,
    part: str | None,
    path: str,
    params: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A part of the combined answer (``None``: the WABA node itself), else what the part's own
    request (``GET /{path}``) answers: its errors and empty lists are then the ones the checks
    always read."""
    found = overview if part is None or overview is None else overview.get(part)
    if isinstance(found, dict):
        return found
    return doctor.graph.get(path, require_token(credential), params)


@prerequisite(request=f"GET /{{waba-id}} {ALONE}")
def waba_node(
    doctor: Doctor, credential: Credential, waba_id: str, waba_overview: dict[str, Any] | None
) -> dict[str, Any]:
    """The credential's WABA node with its review and verification status."""
    params = {"fields": WABA_FIELDS}
    return _part_or_alone(doctor, credential, waba_overview, None, waba_id, params)


@prerequisite(request=f"GET /{{waba-id}}/phone_numbers {ALONE}")
def waba_phones(
    doctor: Doctor, credential: Credential, waba_id: str, waba_overview: dict[str, Any] | None
) -> dict[str, Any]:
    """The WABA's phone number list."""
    path, params = f"{waba_id}/phone_numbers", {"fields": "id,display_phone_number"}
    return _part_or_alone(doctor, credential, waba_overview, "phone_numbers", path, params)


@prerequisite(request=f"GET /{{waba-id}}/subscribed_apps {ALONE}")
def subscribed_apps(
    doctor: Doctor, credential: Credential, waba_id: str, waba_overview: dict[str, Any] | None
) -> list[str]:
    """The ids of the apps subscribed to the WABA's webhooks."""
    path = f"{waba_id}/subscribed_apps"
    answer = _part_or_alone(doctor, credential, waba_overview, "subscribed_apps", path)
    return [
        str(entry["whatsapp_business_api_data"].get("id") or "")
        for entry in answer.get("data") or []
        if isinstance(entry, dict) and isinstance(entry.get("whatsapp_business_api_data"), dict)
    ]


@prerequisite(request="GET /{waba-id}/message_templates")
def templates(doctor: Doctor, credential: Credential, waba_id: str) -> dict[str, Any]:
    """The WABA's templates named ``--wa-template`` (one request per run)."""
    return read_fields(
        doctor,
        f"{waba_id}/message_templates",
        require_token(credential),
        TEMPLATE_FIELDS,
        {"name": doctor.config.template, "limit": "100"},
    )


TEMPLATE_FIELDS = "name,language,status,category,components,previous_category,rejected_reason"
"""``previous_category`` says Meta moved the template (UTILITY to MARKETING), ``rejected_reason``
why it refused it."""


def read_fields(
    doctor: Doctor,
    path: str,
    token: str,
    fields: str,
    params: Mapping[str, str] | None = None,
    node_type: str | None = None,
) -> dict[str, Any]:
    """GET ``path`` with ``fields``. Graph refuses a whole read that names a field its version
    lacks ("Tried accessing nonexisting field (is_on_biz_app) on node type (…)": a newer field
    on an older version); that field is then left out and the rest asked again, so one new
    field never costs the read of all the others. Any other refusal is raised."""
    while True:
        asked = _asked(doctor, fields)
        try:
            return doctor.graph.get(path, token, {**(params or {}), "fields": asked})
        except GraphApiError as error:
            if not _drop_lacking(doctor, error, asked, node_type):
                raise


# --- The phone number ---------------------------------------------------------------------------

WRONG_ID_HINTS: tuple[tuple[str, Callable[[str, Credential, tokens.TokenInfo], bool]], ...] = (
    (
        "looks_like_waba",
        lambda pid, cred, info: (
            pid == cred.business_account_id or pid in (info.limited_wabas() or ())
        ),
    ),
    ("looks_like_app", lambda pid, cred, info: pid == info.app_id),
    (
        "looks_like_phone_number",
        lambda pid, cred, info: pid.startswith("+") or not pid.isdigit() or len(pid) <= 13,
    ),
)
"""What a wrong Phone Number ID usually is (users paste the WABA id, the app id or the number)."""

NODE_TYPE_HINTS = {"WhatsAppBusinessAccount": "looks_like_waba", "Application": "looks_like_app"}
"""Graph names the node an id belongs to in "nonexisting field … on node type (X)" errors."""


@prerequisite(request=f"GET /{{phone-number-id}} {ALONE}")
def phone_number(
    doctor: Doctor,
    credential: Credential,
    granted_token: tokens.TokenInfo,
    waba_overview: dict[str, Any] | None,
) -> dict[str, Any]:
    """The number with every field the checks read: its entry in the WABA's list (the combined
    read asked the same fields), else GET /{phone-number-id}.

    Any code-100 answer means the id is not a phone number this token can read: 100/33 for an
    unknown id, or "nonexisting field … on node type (…)" when it is another kind of object. It
    is raised as ``phone.unsupported_request`` with what the id looks like instead."""
    phone_id = require_phone_id(credential)
    listed = (waba_overview or {}).get("phone_numbers")
    entries = listed.get("data") if isinstance(listed, dict) else None
    for entry in entries or ():
        if isinstance(entry, dict) and str(entry.get("id")) == phone_id:
            return entry
    try:
        return read_fields(
            doctor, phone_id, require_token(credential), PHONE_FIELDS, node_type=PHONE_NODE
        )
    except GraphApiError as error:
        if error.code != 100:
            raise
        hint = _wrong_id_hint(error, phone_id, credential, granted_token)
        raise error.as_finding("phone.unsupported_request", looks_like=[hint]) from None


PHONE_NODE = "WhatsAppBusinessPhoneNumber"
"""What Graph calls a phone number; another node type means the id is not one."""


def _nonexisting_field(error: GraphApiError) -> tuple[str, str]:
    """(field, node type) of Graph's "Tried accessing nonexisting field (X) on node type (Y)",
    empty where its message says otherwise."""
    said = error.meta_message
    field = said.partition("nonexisting field (")[2].partition(")")[0]
    return field, said.partition("on node type (")[2].partition(")")[0]


def field_lacking(error: GraphApiError, node_type: str | None = None) -> str | None:
    """The field Graph says a node lacks in the version asked, or None when it said something
    else (an unknown id, or, with ``node_type``, a node of another type: the id is wrong)."""
    field, node = _nonexisting_field(error)
    if node_type is not None and node != node_type:
        return None
    return field or None


def _wrong_id_hint(
    error: GraphApiError, phone_id: str, credential: Credential, info: tokens.TokenInfo
) -> str:
    return NODE_TYPE_HINTS.get(_nonexisting_field(error)[1]) or next(
        (k for k, test in WRONG_ID_HINTS if test(phone_id, credential, info)),
        "looks_like_unknown",
    )


# --- What a run keeps of each credential ---------------------------------------------------------


def facts(doctor: Doctor, credential: Credential) -> dict[str, object]:
    """The values of a credential the next run compares with (quality, messaging limit, token
    expiry) or names it by when its token is dead (business name and number): only what this
    run read already, never a request."""
    phone = phone_number.cached(doctor, credential) or {}
    info = token_info.cached(doctor, credential)
    return {
        "verified_name": fact(phone.get("verified_name")),
        "display_phone_number": fact(phone.get("display_phone_number")),
        "quality_rating": fact(phone.get("quality_rating")),
        "messaging_limit": fact(phone.get("whatsapp_business_manager_messaging_limit")),
        "token_expires_at": fact(info.expires_at if info is not None else None),
    }
