"""Scenarios of the WhatsApp Business Account's review and the business's verification."""

from __future__ import annotations

from functools import partial

from ..world import World
from .base import Scenario


def _waba_facts(world: World, now: int, **facts: object) -> None:
    for name, value in facts.items():
        setattr(world.wabas[world.waba_id], name, value)


SCENARIOS: dict[str, Scenario] = {
    "waba-rejected": Scenario(
        "Meta rejected the WhatsApp Business Account's review.",
        "waba.review_rejected",
        partial(_waba_facts, account_review_status="REJECTED"),
    ),
    "waba-pending": Scenario(
        "The WhatsApp Business Account is still under review.",
        "waba.review_pending",
        partial(_waba_facts, account_review_status="PENDING"),
    ),
    "business-not-verified": Scenario(
        "The business behind the WABA is not verified.",
        "waba.business_not_verified",
        partial(_waba_facts, business_verification_status="not_verified"),
    ),
}
