"""The WhatsApp Business Account itself: has Meta approved it, and is the business verified?"""

from __future__ import annotations

from typing import Any

from ..credentials import Credential
from ..doctor import Doctor
from ..findings import Finding, finding
from ..prefetch import resource
from ..registry import check
from . import read_or_blocked
from .token import credential_waba
from .waba_overview import COMBINED, WABA_FIELDS, fetch_waba_overview, part_or_alone

REVIEW_FINDINGS = {"PENDING": "waba.review_pending"}
"""Review states that only delay; any other state but APPROVED stops sending (rejected,
restricted, limit reached)."""


@resource(fetch_waba_overview, request=f"{COMBINED}, else GET /{{waba-id}}")
def fetch_waba(doctor: Doctor, credential: Credential) -> tuple[str, dict[str, Any]]:
    """The credential's WABA node with its review and verification status."""
    waba = credential_waba(doctor, credential)
    return waba, part_or_alone(doctor, credential, None, waba, {"fields": WABA_FIELDS})


@check(
    raises=["waba.review_rejected", "waba.review_pending", "waba.business_not_verified"],
    reads=[fetch_waba],
)
def waba_approved_and_verified(doctor: Doctor, credential: Credential) -> list[Finding]:
    waba, node = read_or_blocked(fetch_waba, doctor, credential)
    found = []
    review = str(node.get("account_review_status") or "").upper()
    if review and review != "APPROVED":
        found.append(
            finding(
                REVIEW_FINDINGS.get(review, "waba.review_rejected"),
                waba_id=waba,
                review_status=review,
            )
        )
    verification = str(node.get("business_verification_status") or "").lower()
    if verification and verification != "verified":
        found.append(finding("waba.business_not_verified", waba_id=waba, verification=verification))
    return found
