"""Scenarios of the webhooks: subscriptions, overrides and Meta's verification handshake."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..world import Callback, World
from .base import Scenario, main_phone


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


def _coexistence_without_echoes(world: World, now: int) -> None:
    """A number shared with the Business app; the app's webhook has ``messages`` only."""
    _app_webhooks(world, now)
    main_phone(world).is_on_biz_app = True


OLD_CALLBACK = "https://old-crm.example.com/whatsapp/webhook"
"""An alternate callback left behind by a previous integration."""


def _override(level: str, world: World, now: int) -> None:
    """An alternate callback URL on the phone number or the WABA, not the app's."""
    if level == "phone_number":
        main_phone(world).override_callback_uri = OLD_CALLBACK
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


SCENARIOS: dict[str, Scenario] = {
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
    "coexistence-echoes-not-subscribed": Scenario(
        "A number shared with the Business app; the webhook lacks smb_message_echoes.",
        "webhooks.coexistence_fields_missing",
        _coexistence_without_echoes,
    ),
    "wrong-app-secret": Scenario(
        "WHATSAPP_APP_SECRET is not the app's: webhook signatures would not verify.",
        "webhooks.app_secret_wrong",
        _wrong_app_secret,
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
}
