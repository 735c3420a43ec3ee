"""Phone number checks: exists, registered, healthy, in the WABA (reference 4.1-4.3)."""

from __future__ import annotations

from typing import Any

from ..baseline import shown_date
from ..credentials import Credential
from ..doctor import Doctor
from ..errors import NotApplicable
from ..findings import Count, Finding, finding, findings_if
from ..registry import check
from .prerequisites import phone_number, read_or_blocked, waba_id, waba_phones

LOW_QUALITY = ("YELLOW", "RED")


def require_phone(doctor: Doctor, credential: Credential) -> dict[str, Any]:
    """The phone node; checks that need it are blocked by whatever stopped it being read."""
    return read_or_blocked(phone_number, doctor, credential)


@check(raises=["phone.unsupported_request"], reads=[phone_number])
def phone_number_exists(doctor: Doctor, credential: Credential) -> list[Finding]:
    """The number can be read; this check reports whatever stops that read (a wrong id is
    ``phone.unsupported_request``, with what the id looks like instead)."""
    phone_number(doctor, credential)
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


def throughput_terms(phone: dict[str, Any]) -> list[str]:
    """The number's pace in words (a term: "up to 80 messages per second"), not Meta's
    STANDARD: Meta's level names mean nothing to whoever runs the campaign. A number shared
    with the Business app has 20 per second, whatever its level says."""
    if phone.get("is_on_biz_app") is True:
        return ["throughput_coexistence"]
    throughput = phone.get("throughput")
    level = throughput.get("level") if isinstance(throughput, dict) else throughput
    return [f"throughput_{level}" if level in ("STANDARD", "HIGH") else "throughput_unknown"]


@check(raises=["phone.coexistence"], reads=[phone_number])
def phone_number_coexistence(doctor: Doctor, credential: Credential) -> list[Finding]:
    """A number used in the WhatsApp Business app and the Cloud API at once (Meta's
    "coexistence", ``is_on_biz_app``): not a fault, but what a CRM must do differently (the
    phone's messages arrive as echoes, 20 messages per second) is said as a fact."""
    phone = require_phone(doctor, credential)
    number = phone.get("display_phone_number") or credential.phone_number_id
    return findings_if(on_business_app(phone), "phone.coexistence", number=str(number))


def on_business_app(phone: dict[str, Any]) -> bool:
    """Whether the number is used in the WhatsApp Business app too (``is_on_biz_app``); not
    applicable when Meta did not say (an older version has no such field: unknown, not no)."""
    on_app = phone.get("is_on_biz_app")
    if not isinstance(on_app, bool):
        raise NotApplicable("skip_no_is_on_biz_app")
    return on_app


@check(raises=["phone.not_registered", *STATUS_FINDINGS.values()], reads=[phone_number])
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
            throughput=throughput_terms(phone),
        )
    ]


@check(raises=["phone.display_name_not_approved"], reads=[phone_number])
def phone_display_name_approved(doctor: Doctor, credential: Credential) -> list[Finding]:
    phone = require_phone(doctor, credential)
    name_status = str(phone.get("name_status") or "").upper()
    return findings_if(
        name_status in UNAPPROVED_NAMES,
        "phone.display_name_not_approved",
        name_status=name_status,
        verified_name=phone.get("verified_name") or "—",
    )


@check(raises=["phone.not_cloud_api"], reads=[phone_number])
def phone_number_on_cloud_api(doctor: Doctor, credential: Credential) -> list[Finding]:
    platform = str(require_phone(doctor, credential).get("platform_type") or "").upper()
    return findings_if(
        bool(platform) and platform != "CLOUD_API", "phone.not_cloud_api", platform_type=platform
    )


@check(raises=["phone.messaging_limit", "phone.campaign_over_limit"], reads=[phone_number])
def phone_number_capacity(doctor: Doctor, credential: Credential) -> list[Finding]:
    """The portfolio's messaging limit as a fact, and a failure when ``--wa-campaign-size``
    unique recipients are more than it allows in 24 hours."""
    phone = require_phone(doctor, credential)
    tier = str(phone.get("whatsapp_business_manager_messaging_limit") or "").upper()
    if tier not in TIER_LIMITS:
        raise NotApplicable("skip_no_messaging_limit", tier=tier or "—")
    limit = TIER_LIMITS[tier]
    shown = Count(limit) if limit is not None else "∞"
    params = {"tier": tier, "limit": shown, "throughput": throughput_terms(phone)}
    size = doctor.config.campaign_size
    if size and limit is not None and int(size) > limit:
        return [finding("phone.campaign_over_limit", campaign_size=Count(size), **params)]
    return [finding("phone.messaging_limit", **params)]


@check(raises=["phone.health_blocked", "phone.health_limited"], reads=[phone_number])
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


@check(raises=["phone.quality_low"], reads=[phone_number])
def phone_number_quality(doctor: Doctor, credential: Credential) -> list[Finding]:
    """A low rating; a number Meta already flagged for it is ``phone.flagged``'s to say."""
    phone = require_phone(doctor, credential)
    quality = str(phone.get("quality_rating") or "")
    if phone.get("status") == "FLAGGED":
        return []
    return findings_if(quality in LOW_QUALITY, "phone.quality_low", quality=quality)


@check(raises=["phone.test_number"], reads=[phone_number])
def phone_number_live(doctor: Doctor, credential: Credential) -> list[Finding]:
    mode = require_phone(doctor, credential).get("account_mode")
    return findings_if(mode == "SANDBOX", "phone.test_number")


@check(raises=["phone.waba_mismatch"], reads=[phone_number, waba_phones])
def phone_number_in_waba(doctor: Doctor, credential: Credential) -> list[Finding]:
    require_phone(doctor, credential)
    waba, listed = waba_id(doctor, credential), waba_phones(doctor, credential)
    ids = [str(p.get("id")) for p in listed.get("data") or [] if isinstance(p, dict)]
    return findings_if(
        credential.phone_number_id not in ids,
        "phone.waba_mismatch",
        waba_id=waba,
        waba_phones=", ".join(ids) or "—",
    )


QUALITY_ORDER = ("RED", "YELLOW", "GREEN")
"""Meta's quality ratings, worst first (UNKNOWN, for a new number, is no rating to compare)."""

WORSENING: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("quality_rating", "quality_rating", QUALITY_ORDER, "phone.quality_dropped"),
    (
        "messaging_limit",
        "whatsapp_business_manager_messaging_limit",
        tuple(TIER_LIMITS),
        "phone.messaging_limit_dropped",
    ),
)
"""(fact kept by the previous run, the number's field, its values worst first, finding)."""


@check(raises=[w[3] for w in WORSENING], reads=[phone_number])
def phone_number_not_worse(doctor: Doctor, credential: Credential) -> list[Finding]:
    """Since the baseline (the previous run): a lower quality rating, or a lower messaging
    limit, is news even when the value itself is no problem yet."""
    if doctor.baseline is None:
        raise NotApplicable("skip_no_baseline")
    before = doctor.baseline.facts.get(doctor.key(credential), {})
    phone = require_phone(doctor, credential)
    since = shown_date(doctor.baseline.generated_at)
    return [
        finding(found, before=was, now=now, since=since)
        for fact, field, order, found in WORSENING
        if (was := before.get(fact)) in order
        and (now := phone.get(field)) in order
        and order.index(now) < order.index(was)
    ]
