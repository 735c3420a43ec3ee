"""The simulator's small state: tokens, WhatsApp accounts, phone numbers, templates, recipients.

Scenarios build a :class:`World` and change a few facts; the server answers from it exactly as
the Graph API would. Field names follow Meta's (reference sections 3.2, 4.1, 4.2, 4.4).
"""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .meta import TokenError

WHATSAPP_SCOPES = ("whatsapp_business_messaging", "whatsapp_business_management")
ALL_SCOPES = (*WHATSAPP_SCOPES, "business_management")


def random_token(prefix: str = "EAAS") -> str:
    """A fresh token shaped like Meta's, never the same twice (so no run leaks another's)."""
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(188))


@dataclass
class TokenState:
    """What debug_token knows about one token (S-DBG fields)."""

    app_id: str
    user_id: str
    type: str = "SYSTEM_USER"
    application: str = "CRM WhatsApp"
    expires_at: int = 0
    data_access_expires_at: int = 0
    issued_at: int = field(default_factory=lambda: int(time.time()) - 86_400 * 30)
    scopes: tuple[str, ...] = ALL_SCOPES
    target_ids: tuple[str, ...] | None = None
    """WABA ids the WhatsApp scopes are limited to; None means portfolio-wide (no target_ids)."""
    error: TokenError | None = None

    def granular_scopes(self) -> list[dict[str, Any]]:
        granular: list[dict[str, Any]] = []
        for scope in self.scopes:
            entry: dict[str, Any] = {"scope": scope}
            if scope in WHATSAPP_SCOPES and self.target_ids is not None:
                entry["target_ids"] = list(self.target_ids)
            granular.append(entry)
        return granular

    def can_reach(self, waba_id: str) -> bool:
        return self.target_ids is None or waba_id in self.target_ids


class CanSend(StrEnum):
    AVAILABLE = "AVAILABLE"
    LIMITED = "LIMITED"
    BLOCKED = "BLOCKED"


@dataclass
class PhoneState:
    """One business phone number (reference 4.1) and its health (4.2)."""

    id: str
    waba_id: str
    display_phone_number: str = "+1 555-010-4242"
    verified_name: str = "CRM Demo"
    is_on_biz_app: bool = False
    """Used in the WhatsApp Business app too (Meta's "coexistence")."""
    quality_rating: str = "GREEN"
    code_verification_status: str = "VERIFIED"
    name_status: str = "APPROVED"
    status: str = "CONNECTED"
    platform_type: str = "CLOUD_API"
    account_mode: str = "LIVE"
    throughput: str = "STANDARD"
    messaging_limit: str = "TIER_2K"
    """``whatsapp_business_manager_messaging_limit`` (a tier name, as third-party captures show)."""
    can_send_message: CanSend = CanSend.AVAILABLE
    health_errors: list[dict[str, Any]] = field(default_factory=list)
    health_info: list[str] = field(default_factory=list)
    override_callback_uri: str = ""
    """The number's own webhook callback (``webhook_configuration``), which wins over all."""


HELLO_WORLD: tuple[dict[str, Any], ...] = (
    {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
    {
        "type": "BODY",
        "text": "Welcome and congratulations!! This message demonstrates your ability to send a "
        "WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking "
        "the time to test with us.",
    },
    {"type": "FOOTER", "text": "WhatsApp Business Platform sample message"},
)
"""Meta's sample template every new WABA has: no parameters."""


@dataclass
class TemplateState:
    """One message template of a WABA (reference 4.4)."""

    name: str
    language: str
    status: str = "APPROVED"
    category: str = "MARKETING"
    previous_category: str | None = None
    """The category Meta moved the template from (its REST answer names it)."""
    rejected_reason: str = "NONE"
    id: str = field(default_factory=lambda: str(secrets.randbelow(10**15) + 10**15))
    components: list[dict[str, Any]] = field(default_factory=lambda: list(HELLO_WORLD))


@dataclass
class WabaState:
    id: str
    name: str = "CRM Demo WABA"
    templates: list[TemplateState] = field(default_factory=list)
    account_review_status: str = "APPROVED"
    business_verification_status: str = "verified"
    subscribed_apps: list[tuple[str, str]] = field(default_factory=list)
    """(app id, name) of the apps that receive this WABA's webhooks."""
    override_callback_uri: str = ""
    """The WABA's alternate callback, set by the CRM's app (``POST /{waba}/subscribed_apps``
    with ``override_callback_uri``): wins over the app's, loses to the number's."""


class Callback(StrEnum):
    """How the CRM's webhook endpoint answers Meta's verification request (served over HTTPS
    by the simulator when a scenario sets one)."""

    ECHO = "echo"
    """As Meta needs: 200 and the challenge, when the verify token is the CRM's (else 403)."""
    NO_ECHO = "no-echo"
    """200 with a JSON body instead of the bare challenge."""
    ECHO_QUERY = "echo-query"
    """200 with the whole query string it was sent, verify token and all (a debugging page)."""
    SLOW = "slow"
    DOWN = "down"
    PLAIN_HTTP = "plain-http"
    UNTRUSTED = "untrusted"
    """A certificate from a CA no client trusts (self-signed, or a missing chain)."""


class Fault(StrEnum):
    """Ways the simulated API can misbehave for every request."""

    TIMEOUT = "timeout"
    SERVER_ERROR = "server-error"
    BAD_GATEWAY = "bad-gateway"
    HTML = "html"
    TRUNCATED = "truncated"
    EMPTY = "empty"
    RATE_LIMIT = "rate-limit"
    REDIRECT_LOOP = "redirect-loop"
    SLOW_DRIP = "slow-drip"
    HUGE = "huge"
    DEEP = "deep"


@dataclass
class World:
    """Everything the simulator answers from. ``token`` is the scenario's main credential."""

    app_id: str
    app_secret: str
    token: str
    phone_number_id: str
    waba_id: str
    tokens: dict[str, TokenState] = field(default_factory=dict)
    phones: dict[str, PhoneState] = field(default_factory=dict)
    wabas: dict[str, WabaState] = field(default_factory=dict)
    recipients: dict[str, float] = field(default_factory=dict)
    """Recipient number → time of their last inbound message (the 24-hour window)."""
    allowed_recipients: set[str] = field(default_factory=set)
    """The "To" list of a test (SANDBOX) number: the only recipients it may reach (131030)."""
    window_error_sync: bool = False
    """Answer a free-form send outside the window with a synchronous 131047 (some paths do);
    by default the send is accepted and the verdict would come by webhook (reference 2.1)."""
    send_refusal: str | None = None
    """What Meta answers every send with, whatever the message (a locked account, a policy
    block): a kind of :func:`~wa_doctor.simulator.meta.send_error`."""
    auto_upgrades: dict[str, str] = field(default_factory=dict)
    """Versions Meta upgrades before the end its table gives (asked → answered with)."""
    version_headers: bool = True
    """Whether answers carry ``facebook-api-version`` (a proxy in between may drop it)."""
    settings: dict[str, str] = field(default_factory=dict)
    """Configuration the scenario implies (e.g. an old API version) for --wa-simulate."""
    configured_phone_number_id: str | None = None
    """The phone number id the user configured, when the scenario makes it a wrong one."""
    waba_configured: bool = True
    """Whether the CRM's configuration names the WABA (WHATSAPP_BUSINESS_ACCOUNT_ID)."""
    app_subscriptions: list[dict[str, Any]] = field(default_factory=list)
    """The app's webhook subscriptions (GET /{app-id}/subscriptions), as Meta lists them."""
    callback: Callback | None = None
    """How the CRM's webhook endpoint behaves; None: no endpoint is served (the app's callback
    URL then points at a host that does not exist)."""
    verify_token: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    """The verify token the CRM's endpoint expects (WHATSAPP_WEBHOOK_VERIFY_TOKEN)."""
    require_app_secret: bool = False
    """App Settings → Advanced → "Require App Secret": every call with a user token must carry
    ``appsecret_proof`` (reference 7.3)."""
    phone_fields_missing: tuple[str, ...] = ()
    """Phone number fields the asked version does not have: Graph refuses the whole read
    ("Tried accessing nonexisting field"), as an older version does with a newer field."""
    nested_too_much_data: bool = False
    """Refuse every read with nested edges (``phone_numbers{…}``) as too much data, as Graph
    can refuse a large one: the doctor must then ask for each part on its own."""
    fault: Fault | None = None
    latency: float = 0.0
    rate_limited_requests: int = 0
    """Answer this many first requests with Meta's rate-limit error, then recover."""

    @property
    def main_token(self) -> TokenState | None:
        return self.tokens.get(self.token)

    @property
    def callback_url(self) -> str:
        """The app's WhatsApp webhook callback URL (its subscription's ``callback_url``)."""
        return str(self.app_subscriptions[0]["callback_url"]) if self.app_subscriptions else ""

    @property
    def app_token(self) -> str:
        return f"{self.app_id}|{self.app_secret}"
