"""Scenarios of faults of the Graph API itself: slow, broken, hostile or rate-limited answers."""

from __future__ import annotations

from functools import partial

from ..meta import TokenError
from ..world import Fault, World
from .base import Scenario, main_token


def _echoed(world: World, now: int) -> None:
    # Some Graph errors quote what they were given; the report must still never show it.
    state = main_token(world)
    state.error = TokenError(190, None, f"Malformed access token {world.token}")


ESCAPE_MESSAGE = "\x1b[2J\x1b[H\x1b[1;32mALL CHECKS PASSED\x1b[0m\x08\x07"
"""Foreign text that would clear a terminal and print a fake verdict if shown raw."""


def _escape_sequences(world: World, now: int) -> None:
    main_token(world).error = TokenError(190, None, f"Invalid OAuth access token. {ESCAPE_MESSAGE}")


def _fault(fault: Fault, world: World, now: int) -> None:
    world.fault = fault


def _require_app_secret(world: World, now: int) -> None:
    world.require_app_secret = True


SHORT_DEADLINE = {"timeout": "3"}
"""Fault scenarios answer late or never: a short deadline shows the finding in seconds."""


SCENARIOS: dict[str, Scenario] = {
    "token-echoed-in-error": Scenario(
        "Meta's error message quotes the whole token back.", "token.invalid", _echoed
    ),
    "app-secret-required": Scenario(
        "The app has 'Require App Secret' on and WHATSAPP_APP_SECRET is not set.",
        "graph.appsecret_proof_required",
        _require_app_secret,
    ),
    "graph-timeout": Scenario(
        "The Graph API does not answer in time.",
        "graph.timeout",
        partial(_fault, Fault.TIMEOUT),
        SHORT_DEADLINE,
    ),
    "graph-server-error": Scenario(
        "The Graph API answers HTTP 500 (code 2, transient).",
        "graph.server_error",
        partial(_fault, Fault.SERVER_ERROR),
        SHORT_DEADLINE,
    ),
    "graph-bad-gateway": Scenario(
        "A proxy answers HTTP 502 with an HTML page.",
        "graph.server_error",
        partial(_fault, Fault.BAD_GATEWAY),
        SHORT_DEADLINE,
    ),
    "graph-html": Scenario(
        "A proxy answers 200 with an HTML login page.",
        "graph.bad_response",
        partial(_fault, Fault.HTML),
        SHORT_DEADLINE,
    ),
    "graph-truncated": Scenario(
        "The JSON body is cut short.",
        "graph.bad_response",
        partial(_fault, Fault.TRUNCATED),
        SHORT_DEADLINE,
    ),
    "graph-empty": Scenario(
        "The body is empty.", "graph.bad_response", partial(_fault, Fault.EMPTY), SHORT_DEADLINE
    ),
    "graph-rate-limited": Scenario(
        "HTTP 429, code 4: application request limit reached.",
        "graph.rate_limited",
        partial(_fault, Fault.RATE_LIMIT),
        SHORT_DEADLINE,
    ),
    "graph-slow-drip": Scenario(
        "The answer arrives one byte at a time: each read is quick, the whole never ends.",
        "graph.timeout",
        partial(_fault, Fault.SLOW_DRIP),
        SHORT_DEADLINE,
    ),
    "graph-huge-answer": Scenario(
        "A 64 MiB answer (a broken proxy, or an attack on memory).",
        "graph.bad_response",
        partial(_fault, Fault.HUGE),
        SHORT_DEADLINE,
    ),
    "graph-deep-json": Scenario(
        "JSON nested 200,000 levels deep.",
        "graph.bad_response",
        partial(_fault, Fault.DEEP),
        SHORT_DEADLINE,
    ),
    "terminal-escape-in-error": Scenario(
        "Meta's error message holds terminal escape sequences (clear screen, fake green text).",
        "token.invalid",
        _escape_sequences,
    ),
    "graph-redirect-loop": Scenario(
        "Every request is redirected to itself.",
        "graph.bad_response",
        partial(_fault, Fault.REDIRECT_LOOP),
        SHORT_DEADLINE,
    ),
}
