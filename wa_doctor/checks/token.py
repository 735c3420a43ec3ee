"""Token checks from one ``debug_token`` per token (reference section 3)."""

from __future__ import annotations

from datetime import UTC, datetime

from .. import tokens
from ..credentials import Credential
from ..doctor import Doctor
from ..errors import NotApplicable
from ..findings import Finding, finding, findings_if
from ..registry import check
from .prerequisites import (
    invalid_finding,
    require_usable_id,
    token_info,
    valid_token,
    waba_not_granted,
)

DAY = 86_400


def when(timestamp: int | None) -> str:
    """A Unix time as a date, or the number itself when no calendar has it (Meta's JSON can
    say anything: 1e20 is past the year 9999)."""
    if not timestamp:
        return "—"
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, ValueError, OSError):
        return str(timestamp)


@check(
    raises=[
        "token.invalid",
        "token.session_logged_out",
        "token.expired",
        "token.password_changed",
        "token.app_not_installed",
        "token.checkpointed",
        "token.unconfirmed_user",
        "token.invalidated",
        "token.role_lost",
    ],
    reads=[token_info],
)
def token_valid(doctor: Doctor, credential: Credential) -> list[Finding]:
    """Meta's verdict on the token; this check reports whatever stops debug_token too."""
    dead = invalid_finding(doctor, token_info(doctor, credential))
    return [dead] if dead else []


@check(raises=["token.temporary", "token.system_user_expires"], reads=[valid_token])
def token_permanent(doctor: Doctor, credential: Credential) -> list[Finding]:
    """Not a System User token: temporary. A System User token with an expiry (Business
    Manager may offer only 60 days) is not temporary: it is a date to plan for."""
    info = valid_token(doctor, credential)
    if info.type != tokens.SYSTEM_USER:
        return [
            finding(
                "token.temporary", token_type=info.type or "?", expires_at=when(info.expires_at)
            )
        ]
    return findings_if(
        not info.never_expires,
        "token.system_user_expires",
        expires_at=when(info.expires_at),
        lifetime_days=info.lifetime_days or "?",
        data_access_expires_at=when(info.data_access_expires_at),
        warn_days=warning_days(doctor, info),
    )


def warning_days(doctor: Doctor, info: tokens.TokenInfo) -> int:
    """``--wa-expiry-warning-days`` when set; by default a quarter of the token's lifetime, at
    least 7 days (15 days for a 60-day token: a week is short notice for a two-month token)."""
    configured = doctor.config.expiry_warning_days
    if doctor.config.source("expiry_warning_days") != "default" or not info.lifetime_days:
        return configured
    return max(configured, info.lifetime_days // 4)


@check(raises=["token.expiring_soon"], reads=[valid_token])
def token_not_expiring_soon(doctor: Doctor, credential: Credential) -> list[Finding]:
    """A System User token's end, ahead of time. A temporary token's end is
    ``token.temporary``'s to say (its date included): one cause, one finding."""
    info = valid_token(doctor, credential)
    ends = [t for t in (info.expires_at, info.data_access_expires_at) if t]
    if not ends or info.type != tokens.SYSTEM_USER:
        return []
    seconds_left = min(ends) - doctor.now()
    return findings_if(
        seconds_left <= warning_days(doctor, info) * DAY,
        "token.expiring_soon",
        expires_at=when(min(ends)),
        days_left=max(0, seconds_left // DAY),
    )


@check(raises=["token.scopes_missing", "token.scope_recommended_missing"], reads=[valid_token])
def token_scopes(doctor: Doctor, credential: Credential) -> list[Finding]:
    info = valid_token(doctor, credential)
    missing = [s for s in tokens.REQUIRED_SCOPES if s not in info.scopes]
    recommended = [s for s in tokens.RECOMMENDED_SCOPES if s not in info.scopes]
    granted = ", ".join(info.scopes) or "—"
    return [
        *findings_if(bool(missing), "token.scopes_missing", missing=missing, granted=granted),
        *findings_if(bool(recommended), "token.scope_recommended_missing", missing=recommended),
    ]


@check(raises=["token.waba_not_granted"], reads=[valid_token])
def token_grants_waba(doctor: Doctor, credential: Credential) -> list[Finding]:
    info = valid_token(doctor, credential)
    require_usable_id(doctor, "business_account_id")
    if not credential.business_account_id:
        raise NotApplicable("skip_no_waba")
    return waba_not_granted(info, credential.business_account_id)


@check(raises=["token.app_mismatch"], reads=[valid_token])
def token_from_configured_app(doctor: Doctor, credential: Credential) -> list[Finding]:
    info = valid_token(doctor, credential)
    app_id = require_usable_id(doctor, "app_id")
    if not app_id:
        raise NotApplicable("skip_no_app_id")
    return findings_if(
        info.app_id != str(app_id),
        "token.app_mismatch",
        token_app=info.app_id or "?",
        token_app_name=info.application or "?",
        app_id=app_id,
    )
