"""Scenarios of the opt-in sends: refusals and the 24-hour window (reference 2.1, 5)."""

from __future__ import annotations

from functools import partial

from ..world import World
from .base import DAY, Scenario, sandbox


def _refuse_sends(kind: str, world: World, now: int) -> None:
    world.send_refusal = kind


def _authentication_template(world: World, now: int) -> None:
    for template in world.wabas[world.waba_id].templates:
        template.category = "AUTHENTICATION"


def _window_closed(world: World, now: int) -> None:
    world.recipients["34600000111"] = now - 3 * DAY
    world.window_error_sync = True


def _window_closed_async(world: World, now: int) -> None:
    world.recipients["34600000111"] = now - 3 * DAY


SEND = {"send_to": "+34600000111"}
"""A Spanish mobile, like the guides' customers (a +1 recipient gets the US marketing pause)."""


SEND_TEXT = {**SEND, "send_text": "true"}


SCENARIOS: dict[str, Scenario] = {
    "account-locked": Scenario(
        "Meta has locked the business account: every send gets 131031.",
        "messaging.account_locked",
        partial(_refuse_sends, "locked"),
        SEND,
    ),
    "policy-blocked": Scenario(
        "The WABA is blocked for a policy violation: every send gets 368.",
        "messaging.temporarily_blocked",
        partial(_refuse_sends, "policy_blocked"),
        SEND,
    ),
    **{
        name: Scenario(description, finding_id, partial(_refuse_sends, kind), SEND)
        for name, kind, finding_id, description in (
            (
                "send-maintenance",
                "maintenance",
                "messaging.account_maintenance",
                "The account is in maintenance mode (a throughput upgrade): 131057.",
            ),
            (
                "send-country-restricted",
                "country_restricted",
                "messaging.country_restricted",
                "The business may not message users in the recipient's country: 130497.",
            ),
            (
                "send-marketing-disabled",
                "marketing_disabled",
                "messaging.marketing_disabled",
                "Meta turned off marketing templates on the Cloud API for the account: 131063.",
            ),
            (
                "send-misuse-limited",
                "misuse_limited",
                "messaging.template_misuse_limited",
                "Miscategorised templates brought a messaging limit: 131064.",
            ),
            (
                "send-parameter-missing",
                "parameter_missing",
                "messaging.required_parameter_missing",
                "A template's URL button gets no parameter: 131008 (whatomate#501).",
            ),
            (
                "send-param-invalid",
                "param_invalid",
                "messaging.template_param_invalid",
                "A template parameter holds a line break: 132018.",
            ),
            (
                "send-text-too-long",
                "text_too_long",
                "messaging.template_text_too_long",
                "The template with its parameter values is too long: 132005.",
            ),
            (
                "send-policy-violated",
                "policy_violated",
                "messaging.template_policy_violated",
                "The template's content with its parameters breaks a policy: 132007.",
            ),
        )
    },
    "recipient-not-allowed-argentina": Scenario(
        "A test number sends to an Argentinian mobile written with WhatsApp's 9 (+54 9…) "
        "that its 'To' list holds without it.",
        "messaging.recipient_not_allowed",
        sandbox,
        {"send_to": "+5491123456789"},
    ),
    "send-to-bsuid-authentication": Scenario(
        "An authentication template sent to a business-scoped user id (US.…): Meta needs the "
        "number (131062).",
        "messaging.bsuid_not_supported",
        _authentication_template,
        {"send_to": "US.13491208655302741918"},
    ),
    "recipient-not-allowed": Scenario(
        "A test number sends to a recipient not in its 'To' list.",
        "messaging.recipient_not_allowed",
        sandbox,
        SEND,
    ),
    "window-closed": Scenario(
        "The customer last wrote 3 days ago; a text gets 131047 at once.",
        "messaging.window_24h",
        _window_closed,
        SEND_TEXT,
    ),
    "window-closed-async": Scenario(
        "The customer last wrote 3 days ago; Meta accepts the text "
        "and would fail it later by webhook.",
        "messaging.text_accepted",
        _window_closed_async,
        SEND_TEXT,
    ),
}
