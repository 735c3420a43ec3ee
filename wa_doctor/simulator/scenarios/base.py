"""What every scenario starts from: the healthy world, its ids, and the changes several
areas share."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..world import PhoneState, TemplateState, TokenState, WabaState, World, random_token

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


def main_token(world: World) -> TokenState:
    state = world.main_token
    assert state is not None, "this scenario needs the main token to be known to Meta"
    return state


def main_phone(world: World) -> PhoneState:
    return world.phones[world.phone_number_id]


def sandbox(world: World, now: int) -> None:
    main_phone(world).account_mode = "SANDBOX"


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
        phone = PhoneState(
            str(300_000_000_000_000 + n),
            waba.id,
            display_phone_number=f"+1 555-010-{4200 + n}",
            verified_name=f"CRM Demo {n}",
        )
        token = random_token()
        world.tokens[token] = TokenState(
            world.app_id, str(400_000_000_000_000 + n), target_ids=(waba.id,)
        )
        world.wabas[waba.id] = waba
        world.phones[phone.id] = phone
        tenants.append((token, phone.id))
    return tenants
