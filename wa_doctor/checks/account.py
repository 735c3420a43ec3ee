"""The WhatsApp Business Account itself: has Meta approved it, and is the business verified?"""

from __future__ import annotations

from ..credentials import Credential
from ..doctor import Doctor
from ..findings import Finding, finding
from ..registry import check
from .prerequisites import read_or_blocked, waba_id, waba_node

REVIEW_FINDINGS = {"PENDING": "waba.review_pending"}
"""Review states that only delay; any other state but APPROVED stops sending (rejected,
restricted, limit reached)."""


@check(
    raises=["waba.review_rejected", "waba.review_pending", "waba.business_not_verified"],
    reads=[waba_node],
)
def waba_approved_and_verified(doctor: Doctor, credential: Credential) -> list[Finding]:
    waba, node = waba_id(doctor, credential), read_or_blocked(waba_node, doctor, credential)
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
