"""Scenarios of the opt-in sends: refusals and the 24-hour window (reference 2.1, 5)."""

from __future__ import annotations

from functools import partial

from ..world import World
from .base import DAY, Scenario, sandbox


def _refuse_sends(kind: str, world: World, now: int) -> None:
    world.send_refusal = kind


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
