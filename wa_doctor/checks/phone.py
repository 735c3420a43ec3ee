"""Phone number checks: exists, registered, healthy, in the WABA (reference 4.1-4.3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..credentials import Credential
from ..doctor import Doctor
from ..errors import Blocked, GraphApiError, NotApplicable
from ..findings import Count, Finding, finding, findings_if
from ..prefetch import resource
from ..registry import check
from ..tokens import TokenInfo
from . import read_or_blocked
from .configuration import require_token
from .token import credential_waba, fetch_token_info, require_granted_token
from .waba_overview import (
    COMBINED,
    PHONE_FIELDS,
    fetch_waba_overview,
    overview_part,
    part_or_alone,
)

LOW_QUALITY = ("YELLOW", "RED")

WRONG_ID_HINTS: tuple[tuple[str, Callable[[str, Credential, TokenInfo], bool]], ...] = (
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

_NODE_TYPE = re.compile(r"on node type \((\w+)\)")


def require_phone_id(credential: Credential) -> str:
    """The phone number id's digits; blocked when it is missing or not an id."""
    if not credential.phone_number_id:
        malformed = bool(credential.phone_problems)
        raise Blocked(
            "config.malformed_phone_number_id" if malformed else "config.missing_phone_number_id"
        )
    return credential.phone_number_id


@resource(
    fetch_token_info, fetch_waba_overview, request=f"{COMBINED}, else GET /{{phone-number-id}}"
)
def fetch_phone(doctor: Doctor, credential: Credential) -> dict[str, Any]:
    """The number with every field the checks read: its entry in the WABA's list (the combined
    read asked the same fields), else GET /{phone-number-id}.

    Any code-100 answer means the id is not a phone number this token can read: 100/33 for an
    unknown id, or "nonexisting field … on node type (…)" when it is another kind of object.
    """
    require_granted_token(doctor, credential)
    phone_id = require_phone_id(credential)
    listed = _listed(doctor, credential)
    if phone_id in listed:
        return listed[phone_id]
    try:
        return doctor.graph.get(phone_id, require_token(credential), {"fields": PHONE_FIELDS})
    except GraphApiError as error:
        if error.code == 100:
            error.finding_id = "phone.unsupported_request"
        raise


def _listed(doctor: Doctor, credential: Credential) -> dict[str, dict[str, Any]]:
    """The numbers the combined read listed, by id (none when it failed or had no WABA)."""
    entries = (overview_part(doctor, credential, "phone_numbers") or {}).get("data")
    return {str(e.get("id")): e for e in entries or () if isinstance(e, dict)}


def require_phone(doctor: Doctor, credential: Credential) -> dict[str, Any]:
    """The phone node; checks that need it are blocked by whatever stopped it being read."""
    return read_or_blocked(fetch_phone, doctor, credential)


@check(raises=["phone.unsupported_request"], reads=[fetch_phone])
def phone_number_exists(doctor: Doctor, credential: Credential) -> list[Finding]:
    try:
        fetch_phone(doctor, credential)
    except GraphApiError as error:
        if error.finding_id != "phone.unsupported_request":
            raise
        info = require_granted_token(doctor, credential)
        pid = require_phone_id(credential)
        node_type = _NODE_TYPE.search(error.meta_message)
        hint = (NODE_TYPE_HINTS.get(node_type.group(1)) if node_type else None) or next(
            (k for k, test in WRONG_ID_HINTS if test(pid, credential, info)), "looks_like_unknown"
        )
        return [
            finding(
                "phone.unsupported_request",
                looks_like=[hint],
                meta_message=error.meta_message,
                fbtrace_id=error.fbtrace_id,
            )
        ]
    return []


STATUS_FINDINGS = {
    "FLAGGED": "phone.flagged",
    "RESTRICTED": "phone.restricted",
    "BANNED": "phone.banned",
    "RATE_LIMITED": "phone.rate_limited",
}
"""Quality and policy states, each with its own remedy (appeal, wait, improve quality); any
other status but CONNECTED is a registration problem (phone.not_registered)."""

UNAPPROVED_NAMES = ("DECLINED", "EXPIRED", "PENDING_REVIEW")

TIER_LIMITS: dict[str, int | None] = {
    "TIER_50": 50,
    "TIER_250": 250,
    "TIER_1K": 1_000,
    "TIER_2K": 2_000,
    "TIER_10K": 10_000,
    "TIER_100K": 100_000,
    "TIER_UNLIMITED": None,
}
"""Unique users a portfolio may start conversations with per moving 24 h (None: unlimited)."""


def _throughput(phone: dict[str, Any]) -> str:
    throughput = phone.get("throughput")
    level = throughput.get("level") if isinstance(throughput, dict) else throughput
    return str(level or "?")


@check(raises=["phone.not_registered", *STATUS_FINDINGS.values()], reads=[fetch_phone])
def phone_number_connected(doctor: Doctor, credential: Credential) -> list[Finding]:
    phone = require_phone(doctor, credential)
    status = str(phone.get("status") or "?").upper()
    if status == "CONNECTED" or status.startswith("MESSAGING_LIMIT_TIER"):
        return []
    return [
        finding(
            STATUS_FINDINGS.get(status, "phone.not_registered"),
            status=status,
            verification=phone.get("code_verification_status") or "?",
            quality=phone.get("quality_rating") or "?",
            throughput=_throughput(phone),
        )
    ]


@check(raises=["phone.display_name_not_approved"], reads=[fetch_phone])
def phone_display_name_approved(doctor: Doctor, credential: Credential) -> list[Finding]:
    phone = require_phone(doctor, credential)
    name_status = str(phone.get("name_status") or "").upper()
    return findings_if(
        name_status in UNAPPROVED_NAMES,
        "phone.display_name_not_approved",
        name_status=name_status,
        verified_name=phone.get("verified_name") or "—",
    )


@check(raises=["phone.not_cloud_api"], reads=[fetch_phone])
def phone_number_on_cloud_api(doctor: Doctor, credential: Credential) -> list[Finding]:
    platform = str(require_phone(doctor, credential).get("platform_type") or "").upper()
    return findings_if(
        bool(platform) and platform != "CLOUD_API", "phone.not_cloud_api", platform_type=platform
    )


@check(raises=["phone.messaging_limit", "phone.campaign_over_limit"], reads=[fetch_phone])
def phone_number_capacity(doctor: Doctor, credential: Credential) -> list[Finding]:
    """The portfolio's messaging limit as a fact, and a failure when ``--wa-campaign-size``
    unique recipients are more than it allows in 24 hours."""
    phone = require_phone(doctor, credential)
    tier = str(phone.get("whatsapp_business_manager_messaging_limit") or "").upper()
    if tier not in TIER_LIMITS:
        raise NotApplicable("skip_no_messaging_limit", tier=tier or "—")
    limit = TIER_LIMITS[tier]
    shown = Count(limit) if limit is not None else "∞"
    params = {"tier": tier, "limit": shown, "throughput": _throughput(phone)}
    size = doctor.config.campaign_size
    if size and limit is not None and int(size) > limit:
        return [finding("phone.campaign_over_limit", campaign_size=Count(size), **params)]
    return [finding("phone.messaging_limit", **params)]


@check(raises=["phone.health_blocked", "phone.health_limited"], reads=[fetch_phone])
def phone_number_can_send(doctor: Doctor, credential: Credential) -> list[Finding]:
    health = require_phone(doctor, credential).get("health_status")
    health = health if isinstance(health, dict) else {}
    entities = [e for e in health.get("entities") or [] if isinstance(e, dict)]
    verdict = health.get("can_send_message")
    if verdict == "BLOCKED":
        described = "; ".join(
            f"{_entity(e)} {err.get('error_code', '?')}: {err.get('error_description', '')} — "
            f"{err.get('possible_solution', '')}"
            for e in entities
            for err in e.get("errors") or []
            if isinstance(err, dict)
        )
        return [finding("phone.health_blocked", meta_errors=described or "—")]
    if verdict == "LIMITED":
        info = [f"{_entity(e)} {i}" for e in entities for i in e.get("additional_info") or []]
        return [finding("phone.health_limited", meta_info="; ".join(info) or "—")]
    return []


def _entity(entity: dict[str, Any]) -> str:
    """Which node a health error is about (the number, the WABA, the business, the app)."""
    return f"[{entity.get('entity_type') or '?'} {entity.get('id') or ''}]".replace(" ]", "]")


@check(raises=["phone.quality_low"], reads=[fetch_phone])
def phone_number_quality(doctor: Doctor, credential: Credential) -> list[Finding]:
    quality = str(require_phone(doctor, credential).get("quality_rating") or "")
    return findings_if(quality in LOW_QUALITY, "phone.quality_low", quality=quality)


@check(raises=["phone.test_number"], reads=[fetch_phone])
def phone_number_live(doctor: Doctor, credential: Credential) -> list[Finding]:
    mode = require_phone(doctor, credential).get("account_mode")
    return findings_if(mode == "SANDBOX", "phone.test_number")


@resource(fetch_waba_overview, request=f"{COMBINED}, else GET /{{waba-id}}/phone_numbers")
def fetch_waba_phones(doctor: Doctor, credential: Credential) -> tuple[str, dict[str, Any]]:
    """The credential's WABA and its phone number list."""
    waba = credential_waba(doctor, credential)
    fields = {"fields": "id,display_phone_number"}
    return waba, part_or_alone(doctor, credential, "phone_numbers", f"{waba}/phone_numbers", fields)


@check(raises=["phone.waba_mismatch"], reads=[fetch_phone, fetch_waba_phones])
def phone_number_in_waba(doctor: Doctor, credential: Credential) -> list[Finding]:
    require_phone(doctor, credential)
    waba, listed = fetch_waba_phones(doctor, credential)
    ids = [str(p.get("id")) for p in listed.get("data") or [] if isinstance(p, dict)]
    return findings_if(
        credential.phone_number_id not in ids,
        "phone.waba_mismatch",
        waba_id=waba,
        waba_phones=", ".join(ids) or "—",
    )
