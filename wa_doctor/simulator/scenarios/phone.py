"""Scenarios of the phone number: its id, registration, health, quality and limits
(reference 4.1-4.3)."""

from __future__ import annotations

from functools import partial

from ..world import CanSend, WabaState, World
from .base import Scenario, main_phone, main_token, sandbox


def _waba_id_as_phone_id(world: World, now: int) -> None:
    world.configured_phone_number_id = world.waba_id  # the usual mistake (reference C.1)


def _phone_facts(world: World, now: int, **facts: object) -> None:
    for name, value in facts.items():
        setattr(main_phone(world), name, value)


def _older_version(world: World, now: int) -> None:
    world.phone_fields_missing = ("is_on_biz_app",)


def _campaign_over_limit(world: World, now: int) -> None:
    main_phone(world).messaging_limit = "TIER_2K"
    world.settings["campaign_size"] = "5000"


def _blocked(world: World, now: int) -> None:
    # S-SPEC health_status example error 141006 (payment method), paraphrased.
    _phone_facts(
        world,
        now,
        can_send_message=CanSend.BLOCKED,
        health_errors=[
            {
                "error_code": 141006,
                "error_description": "There is an error with the payment method of the WhatsApp "
                "Business Account; business-initiated messages are blocked.",
                "possible_solution": "Add a new payment method in WhatsApp Manager > Billing.",
            }
        ],
    )


def _limited(world: World, now: int) -> None:
    # S-HEALTH additional_info example.
    _phone_facts(
        world,
        now,
        can_send_message=CanSend.LIMITED,
        health_info=[
            "Your display name has not been approved yet. Your message limit will increase after "
            "the display name is approved."
        ],
    )


def _other_waba_phone(world: World, now: int) -> None:
    other = WabaState("555000111222333", name="Another WABA")
    world.wabas[other.id] = other
    main_phone(world).waba_id = other.id
    main_token(world).target_ids = (world.waba_id, other.id)


SCENARIOS: dict[str, Scenario] = {
    "wrong-phone-number-id": Scenario(
        "The WABA id was pasted as the Phone Number ID.",
        "phone.unsupported_request",
        _waba_id_as_phone_id,
    ),
    "phone-not-registered": Scenario(
        "The number is PENDING, not registered on the Cloud API.",
        "phone.not_registered",
        partial(_phone_facts, status="PENDING", code_verification_status="UNVERIFIED"),
    ),
    "phone-flagged": Scenario(
        "Meta flagged the number for low quality (status FLAGGED, quality RED).",
        "phone.flagged",
        partial(_phone_facts, status="FLAGGED", quality_rating="RED"),
    ),
    "phone-restricted": Scenario(
        "The number is RESTRICTED from starting conversations.",
        "phone.restricted",
        partial(_phone_facts, status="RESTRICTED"),
    ),
    "phone-banned": Scenario(
        "The number is BANNED.", "phone.banned", partial(_phone_facts, status="BANNED")
    ),
    "phone-rate-limited": Scenario(
        "The number is RATE_LIMITED.",
        "phone.rate_limited",
        partial(_phone_facts, status="RATE_LIMITED"),
    ),
    "display-name-declined": Scenario(
        "Meta declined the number's display name.",
        "phone.display_name_not_approved",
        partial(_phone_facts, name_status="DECLINED"),
    ),
    "on-premises-number": Scenario(
        "The number is registered on the On-Premises API, not the Cloud API.",
        "phone.not_cloud_api",
        partial(_phone_facts, platform_type="ON_PREMISE"),
    ),
    "campaign-over-limit": Scenario(
        "A 5,000-recipient campaign (--wa-campaign-size) on a portfolio limited to 2,000.",
        "phone.campaign_over_limit",
        _campaign_over_limit,
    ),
    "phone-blocked": Scenario(
        "health_status BLOCKED: payment method error (141006).", "phone.health_blocked", _blocked
    ),
    "phone-limited": Scenario(
        "health_status LIMITED: display name not approved yet.", "phone.health_limited", _limited
    ),
    "quality-low": Scenario(
        "quality_rating RED.", "phone.quality_low", partial(_phone_facts, quality_rating="RED")
    ),
    "test-number": Scenario(
        "Meta's test number (account_mode SANDBOX).", "phone.test_number", sandbox
    ),
    "coexistence": Scenario(
        "The number is used in the WhatsApp Business app too (is_on_biz_app: 20 messages/s).",
        "phone.coexistence",
        partial(_phone_facts, is_on_biz_app=True),
    ),
    "phone-field-unknown": Scenario(
        "The version asked has no is_on_biz_app: Graph refuses a read that asks for it.",
        None,
        _older_version,
    ),
    "phone-in-other-waba": Scenario(
        "The number belongs to another WABA than the configured one.",
        "phone.waba_mismatch",
        _other_waba_phone,
    ),
}
