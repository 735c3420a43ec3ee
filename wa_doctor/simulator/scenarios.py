"""Named scenarios: a healthy world, then one small change per documented failure.

Each scenario names the finding it demonstrates; the project's tests run every scenario through
the suite and assert exactly that finding, and ``--wa-simulate list`` prints this table.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .meta import TOKEN_ERRORS, TokenError, expired_error
from .world import (
    WHATSAPP_SCOPES,
    Callback,
    CanSend,
    Fault,
    PhoneState,
    TemplateState,
    TokenState,
    WabaState,
    World,
    random_token,
)

APP_ID = "634974688087057"  # the app id of Meta's own system-user example (S-PERM)
WABA_ID = "102289599326934"  # a WABA id from Meta's granular_scopes example (S-MGMT)
PHONE_NUMBER_ID = "106540352242922"
DAY = 86_400


APP_NAME = "CRM WhatsApp"


def healthy(token: str | None = None) -> World:
    """A never-expiring System User token with every scope, a connected number, hello_world."""
    token = token or random_token()
    waba = WabaState(
        WABA_ID,
        templates=[TemplateState("hello_world", "en_US")],
        subscribed_apps=[(APP_ID, APP_NAME)],
    )
    phone = PhoneState(PHONE_NUMBER_ID, WABA_ID)
    return World(
        app_subscriptions=[
            {
                "object": "whatsapp_business_account",
                "callback_url": "https://crm.example.com/api/whatsapp/webhook",
                "active": True,
                "fields": [{"name": "messages", "version": "v25.0"}],
            }
        ],
        app_id=APP_ID,
        app_secret=secrets.token_hex(16),
        token=token,
        phone_number_id=phone.id,
        waba_id=waba.id,
        tokens={token: TokenState(APP_ID, "104169029247128", target_ids=(WABA_ID,))},
        phones={phone.id: phone},
        wabas={waba.id: waba},
    )


@dataclass(frozen=True)
class Scenario:
    """A change to the healthy world, and the finding a run against it must report."""

    description: str
    finding: str | None
    apply: Callable[[World, int], None]
    settings: Mapping[str, str] = field(default_factory=dict)
    """Settings the scenario needs to show its finding (the opt-in send, a short deadline), as
    the environment would give them: ``--wa-simulate NAME`` applies them by itself."""


def _main_token(world: World) -> TokenState:
    state = world.main_token
    assert state is not None, "this scenario needs the main token to be known to Meta"
    return state


def _unknown_token(world: World, now: int) -> None:
    world.tokens[random_token("EAAX")] = world.tokens.pop(world.token)
    # The configured token is now one Meta never issued (mis-copied / made up).


def _echoed(world: World, now: int) -> None:
    # Some Graph errors quote what they were given; the report must still never show it.
    state = _main_token(world)
    state.error = TokenError(190, None, f"Malformed access token {world.token}")


ESCAPE_MESSAGE = "\x1b[2J\x1b[H\x1b[1;32mALL CHECKS PASSED\x1b[0m\x08\x07"
"""Foreign text that would clear a terminal and print a fake verdict if shown raw."""


def _escape_sequences(world: World, now: int) -> None:
    _main_token(world).error = TokenError(
        190, None, f"Invalid OAuth access token. {ESCAPE_MESSAGE}"
    )


def _token_error(kind: str, world: World, now: int) -> None:
    state = _main_token(world)
    state.type = "USER"
    state.error = TOKEN_ERRORS[kind]


def _expired(world: World, now: int) -> None:
    state = _main_token(world)
    state.type = "USER"
    state.expires_at = now - 3 * 3600
    state.error = expired_error(state.expires_at, now)


def _temporary(world: World, now: int) -> None:
    state = _main_token(world)
    state.type = "USER"
    state.expires_at = now + 20 * 3600
    state.target_ids = None


def _expiring(world: World, now: int) -> None:
    _main_token(world).expires_at = now + 3 * DAY


def _sixty_day_token(days_left: int, world: World, now: int) -> None:
    """Business Manager's 60-day System User token, ``days_left`` days before it expires."""
    state = _main_token(world)
    state.expires_at = now + days_left * DAY
    state.issued_at = state.expires_at - 60 * DAY


def _scopes(scopes: tuple[str, ...], world: World, now: int) -> None:
    _main_token(world).scopes = scopes


def _other_waba(world: World, now: int) -> None:
    _main_token(world).target_ids = ("987654321098765",)


def _other_app(world: World, now: int) -> None:
    _main_token(world).app_id = "111122223333444"
    world.settings["app_id"] = world.app_id


def _api_version(version: str, world: World, now: int) -> None:
    world.settings["api_version"] = version


def _fault(fault: Fault, world: World, now: int) -> None:
    world.fault = fault


def _phone(world: World) -> PhoneState:
    return world.phones[world.phone_number_id]


def _waba_id_as_phone_id(world: World, now: int) -> None:
    world.configured_phone_number_id = world.waba_id  # the usual mistake (reference C.1)


def _phone_facts(world: World, now: int, **facts: object) -> None:
    for name, value in facts.items():
        setattr(_phone(world), name, value)


def _waba_facts(world: World, now: int, **facts: object) -> None:
    for name, value in facts.items():
        setattr(world.wabas[world.waba_id], name, value)


def _campaign_over_limit(world: World, now: int) -> None:
    _phone(world).messaging_limit = "TIER_2K"
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
    _phone(world).waba_id = other.id
    _main_token(world).target_ids = (world.waba_id, other.id)


def _templates(world: World, now: int, **changes: object) -> None:
    waba = world.wabas[world.waba_id]
    if changes.get("remove"):
        waba.templates.clear()
    for template in waba.templates:
        for name, value in changes.items():
            if name != "remove":
                setattr(template, name, value)


def _template_body(text: str, world: World, now: int) -> None:
    for template in world.wabas[world.waba_id].templates:
        template.components = [{"type": "BODY", "text": text}]


def _media_header(world: World, now: int) -> None:
    for template in world.wabas[world.waba_id].templates:
        template.components = [
            {"type": "HEADER", "format": "IMAGE"},
            {"type": "BODY", "text": "Hola {{1}}, mira nuestra oferta."},
        ]


def _waba_unknown(world: World, now: int) -> None:
    world.waba_configured = False
    _main_token(world).target_ids = None  # a portfolio-wide grant names no WABA


def _subscribed(apps: list[tuple[str, str]], world: World, now: int) -> None:
    world.wabas[world.waba_id].subscribed_apps = list(apps)
    world.settings["app_id"] = world.app_id  # the CRM names its app: another one is noticed


def _app_webhooks(world: World, now: int, **changes: Any) -> None:
    """The app configured (WHATSAPP_APP_ID, WHATSAPP_APP_SECRET), its subscription changed."""
    world.settings.update(app_id=world.app_id, app_secret=world.app_secret)
    subscription = world.app_subscriptions[0]
    subscription.update(changes)
    if changes.get("remove"):
        world.app_subscriptions.clear()


OLD_CALLBACK = "https://old-crm.example.com/whatsapp/webhook"
"""An alternate callback left behind by a previous integration."""


def _override(level: str, world: World, now: int) -> None:
    """An alternate callback URL on the phone number or the WABA, not the app's."""
    if level == "phone_number":
        _phone(world).override_callback_uri = OLD_CALLBACK
    else:
        world.wabas[world.waba_id].override_callback_uri = OLD_CALLBACK


def _handshake(behaviour: Callback, world: World, now: int, verify_token: str = "") -> None:
    """The CRM's endpoint served as ``behaviour``, and the opt-in handshake asked for with the
    CRM's verify token (or ``verify_token``, when the scenario makes it a wrong one)."""
    world.callback = behaviour
    world.settings.update(
        webhook_verify="true", webhook_verify_token=verify_token or world.verify_token
    )


def _wrong_app_secret(world: World, now: int) -> None:
    world.settings.update(app_id=world.app_id, app_secret="0" * 32)


def _require_app_secret(world: World, now: int) -> None:
    world.require_app_secret = True


def _sandbox(world: World, now: int) -> None:
    _phone(world).account_mode = "SANDBOX"


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
SHORT_DEADLINE = {"timeout": "3"}
"""Fault scenarios answer late or never: a short deadline shows the finding in seconds."""


SCENARIOS: dict[str, Scenario] = {
    "healthy": Scenario(
        "Everything works: System User token, connected number, hello_world.",
        None,
        lambda world, now: None,
    ),
    "invalid-token": Scenario(
        "The token is not one Meta issued (mis-copied).", "token.invalid", _unknown_token
    ),
    "token-echoed-in-error": Scenario(
        "Meta's error message quotes the whole token back.", "token.invalid", _echoed
    ),
    "session-logged-out": Scenario(
        "190/467: the session is invalid because the user logged out.",
        "token.session_logged_out",
        partial(_token_error, "logged_out"),
    ),
    "expired": Scenario("190/463: the token's session has expired.", "token.expired", _expired),
    "password-changed": Scenario(
        "190/460: invalidated by a password change.",
        "token.password_changed",
        partial(_token_error, "password_changed"),
    ),
    "app-not-installed": Scenario(
        "190/458: the user has not authorised the app.",
        "token.app_not_installed",
        partial(_token_error, "app_not_installed"),
    ),
    "checkpointed": Scenario(
        "190/459: the user must clear a security checkpoint.",
        "token.checkpointed",
        partial(_token_error, "checkpointed"),
    ),
    "unconfirmed-user": Scenario(
        "190/464: the user's account is not confirmed.",
        "token.unconfirmed_user",
        partial(_token_error, "unconfirmed_user"),
    ),
    "token-invalidated": Scenario(
        "190/466: the session was revoked through the API.",
        "token.invalidated",
        partial(_token_error, "invalidated"),
    ),
    "role-lost": Scenario(
        "190/492: the token's user lost its role on the asset.",
        "token.role_lost",
        partial(_token_error, "role_lost"),
    ),
    "temporary-token": Scenario(
        "A 24-hour user token from API Setup, not a System User token.",
        "token.temporary",
        _temporary,
    ),
    "expiring-soon": Scenario(
        "A System User token that expires in 3 days.", "token.expiring_soon", _expiring
    ),
    "system-user-60-day": Scenario(
        "A System User token Business Manager issued for 60 days, 50 days left: a date, not a "
        "temporary token.",
        "token.system_user_expires",
        partial(_sixty_day_token, 50),
    ),
    "system-user-expiring": Scenario(
        "The same 60-day token with 10 days left: inside the warning window that fits it (15).",
        "token.expiring_soon",
        partial(_sixty_day_token, 10),
    ),
    "scopes-missing": Scenario(
        "The token lacks whatsapp_business_messaging.",
        "token.scopes_missing",
        partial(_scopes, ("whatsapp_business_management", "business_management")),
    ),
    "business-management-missing": Scenario(
        "The token lacks the recommended business_management.",
        "token.scope_recommended_missing",
        partial(_scopes, WHATSAPP_SCOPES),
    ),
    "waba-not-granted": Scenario(
        "The token's WhatsApp scopes cover another WABA only.",
        "token.waba_not_granted",
        _other_waba,
    ),
    "app-mismatch": Scenario(
        "The token was issued by another app than WHATSAPP_APP_ID.",
        "token.app_mismatch",
        _other_app,
    ),
    "api-version-ending": Scenario(
        "The CRM calls v21.0, the guide's version, which ends 2027-01-21.",
        "api.version_ending",
        partial(_api_version, "v21.0"),
    ),
    "api-version-unsupported": Scenario(
        "The CRM calls v20.0, no longer served since 2026-09-24.",
        "api.version_unsupported",
        partial(_api_version, "v20.0"),
    ),
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
        "Meta's test number (account_mode SANDBOX).", "phone.test_number", _sandbox
    ),
    "phone-in-other-waba": Scenario(
        "The number belongs to another WABA than the configured one.",
        "phone.waba_mismatch",
        _other_waba_phone,
    ),
    "template-missing": Scenario(
        "The WABA has no hello_world template.",
        "template.missing",
        partial(_templates, remove=True),
    ),
    "template-language-missing": Scenario(
        "hello_world exists in 'en' only, the CRM asks en_US.",
        "template.language_missing",
        partial(_templates, language="en"),
    ),
    "template-pending": Scenario(
        "hello_world is still PENDING review.",
        "template.not_approved",
        partial(_templates, status="PENDING"),
    ),
    "template-paused": Scenario(
        "hello_world is PAUSED for low quality.",
        "template.paused",
        partial(_templates, status="PAUSED"),
    ),
    "template-disabled": Scenario(
        "hello_world is DISABLED.", "template.disabled", partial(_templates, status="DISABLED")
    ),
    "template-params-mismatch": Scenario(
        "The template's body has two parameters; the CRM sends one (--wa-template-params 1).",
        "template.params_mismatch",
        partial(_template_body, "Hola {{1}}, tu pedido {{2}} está listo."),
        {"template_params": "1"},
    ),
    "template-media-header": Scenario(
        "The template has an image header and one body parameter: each send needs both.",
        "template.shape",
        _media_header,
    ),
    "marketing-to-us": Scenario(
        "A MARKETING template sent to a +1 number: Meta pauses marketing to US numbers (131049).",
        "template.marketing_us_pause",
        lambda world, now: None,
        {"send_to": "+15550001111"},
    ),
    "waba-unknown": Scenario(
        "No WHATSAPP_BUSINESS_ACCOUNT_ID and a portfolio-wide token: the template goes unchecked.",
        "template.waba_unknown",
        _waba_unknown,
    ),
    "webhooks-not-subscribed": Scenario(
        "No app is subscribed to the WABA: replies and statuses never reach the CRM.",
        "webhooks.not_subscribed",
        partial(_subscribed, []),
    ),
    "webhooks-other-app": Scenario(
        "Another app (an old integration) receives the WABA's webhooks, not the CRM's.",
        "webhooks.other_app",
        partial(_subscribed, [("555000111222333", "Old integration")]),
    ),
    "app-webhooks-missing": Scenario(
        "The app has no webhook subscription for WhatsApp (no callback URL at all).",
        "webhooks.app_not_subscribed",
        partial(_app_webhooks, remove=True),
    ),
    "app-webhooks-without-messages": Scenario(
        "The app's WhatsApp webhook does not subscribe the `messages` field.",
        "webhooks.messages_field_missing",
        partial(_app_webhooks, fields=[{"name": "account_update", "version": "v25.0"}]),
    ),
    "wrong-app-secret": Scenario(
        "WHATSAPP_APP_SECRET is not the app's: webhook signatures would not verify.",
        "webhooks.app_secret_wrong",
        _wrong_app_secret,
    ),
    "app-secret-required": Scenario(
        "The app has 'Require App Secret' on and WHATSAPP_APP_SECRET is not set.",
        "graph.appsecret_proof_required",
        _require_app_secret,
    ),
    "webhook-override-phone": Scenario(
        "The number has its own callback URL (an old integration's): it wins over the app's.",
        "webhooks.override",
        partial(_override, "phone_number"),
    ),
    "webhook-override-waba": Scenario(
        "The WABA has an alternate callback URL, so `messages` skip the app's.",
        "webhooks.override",
        partial(_override, "whatsapp_business_account"),
    ),
    "webhook-handshake-ok": Scenario(
        "--wa-webhook-verify against an endpoint that answers as Meta needs.",
        None,
        partial(_handshake, Callback.ECHO),
    ),
    "webhook-verify-token-wrong": Scenario(
        "The endpoint refuses the handshake (403): the verify token is not the CRM's.",
        "webhooks.handshake_status",
        partial(_handshake, Callback.ECHO, verify_token="not-the-crm-verify-token"),
    ),
    "webhook-challenge-not-echoed": Scenario(
        "The endpoint answers 200 with JSON instead of the bare hub.challenge.",
        "webhooks.handshake_challenge",
        partial(_handshake, Callback.NO_ECHO),
    ),
    "webhook-endpoint-down": Scenario(
        "Nothing listens at the callback URL (connection refused).",
        "webhooks.handshake_unreachable",
        partial(_handshake, Callback.DOWN),
    ),
    "webhook-bad-certificate": Scenario(
        "The callback's certificate is not from a CA Meta trusts (self-signed, or no chain).",
        "webhooks.handshake_bad_certificate",
        partial(_handshake, Callback.UNTRUSTED),
    ),
    "webhook-not-https": Scenario(
        "The callback URL is plain http://: Meta calls HTTPS endpoints only.",
        "webhooks.handshake_not_https",
        partial(_handshake, Callback.PLAIN_HTTP),
    ),
    "webhook-slow": Scenario(
        "The endpoint takes longer to answer than the doctor allows (2 s here).",
        "webhooks.handshake_slow",
        partial(_handshake, Callback.SLOW),
        {"timeout": "2"},
    ),
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
        _sandbox,
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


def build(name: str, token: str | None = None, now: int | None = None) -> World:
    """The world of scenario ``name``; ``token`` fixes the main token (tests pass their own)."""
    world = healthy(token)
    scenario = SCENARIOS[name]
    world.settings.update(scenario.settings)
    scenario.apply(world, int(now if now is not None else time.time()))
    return world


def add_tenants(world: World, count: int) -> list[tuple[str, str]]:
    """Add ``count`` healthy businesses, each with its own token, WABA, number and hello_world,
    as a CRM serving several businesses holds them; return their (token, phone number id)."""
    tenants = []
    for n in range(1, count + 1):
        waba = WabaState(
            str(200_000_000_000_000 + n),
            templates=[TemplateState("hello_world", "en_US")],
            subscribed_apps=[(world.app_id, APP_NAME)],
        )
        phone = PhoneState(str(300_000_000_000_000 + n), waba.id)
        token = random_token()
        world.tokens[token] = TokenState(
            world.app_id, str(400_000_000_000_000 + n), target_ids=(waba.id,)
        )
        world.wabas[waba.id] = waba
        world.phones[phone.id] = phone
        tenants.append((token, phone.id))
    return tenants


def listing() -> str:
    """The table ``--wa-simulate list`` prints."""
    width = max(map(len, SCENARIOS))
    lines = [
        f"{name:<{width}}  {s.finding or '(no finding)':<34} {s.description}"
        for name, s in SCENARIOS.items()
    ]
    return "Scenarios for --wa-simulate:\n" + "\n".join(lines)
