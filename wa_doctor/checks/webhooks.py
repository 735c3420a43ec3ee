"""Do the WABA's webhooks reach the CRM? Sending works without them; replies, delivery statuses
and most send failures (131047 among them) arrive only by webhook."""

from __future__ import annotations

from typing import Any

from .. import handshake
from ..credentials import Credential
from ..doctor import Doctor
from ..errors import Blocked, DoctorError, GraphApiError, NotApplicable
from ..findings import Finding, finding, findings_if
from ..registry import check
from .phone import on_business_app
from .prerequisites import (
    phone_number,
    read_or_blocked,
    require_usable_id,
    subscribed_apps,
    waba_id,
)


@check(raises=["webhooks.not_subscribed", "webhooks.other_app"], reads=[subscribed_apps])
def webhooks_subscribed(doctor: Doctor, credential: Credential) -> list[Finding]:
    """An app must be subscribed to the WABA, and it must be the CRM's (WHATSAPP_APP_ID)."""
    waba, apps = waba_id(doctor, credential), read_or_blocked(subscribed_apps, doctor, credential)
    if not apps:
        return [finding("webhooks.not_subscribed", waba_id=waba)]
    app_id = require_usable_id(doctor, "app_id")
    if app_id and app_id not in apps:
        return [finding("webhooks.other_app", waba_id=waba, subscribed=", ".join(apps))]
    return []


def unsubscribed_wabas(doctor: Doctor) -> list[str]:
    """The WABAs (of the run's credentials) that no app receives webhooks for; unknown ones
    (no token, no WABA, an error) are left out."""
    found = []
    for credential in doctor.credentials:
        try:
            waba, apps = waba_id(doctor, credential), subscribed_apps(doctor, credential)
        except DoctorError:  # whatever stops the read is another check's finding
            continue
        if not apps:
            found.append(waba)
    return list(dict.fromkeys(found))


WHATSAPP_OBJECT = "whatsapp_business_account"


@check(
    raises=[
        "webhooks.app_not_subscribed",
        "webhooks.messages_field_missing",
        "webhooks.app_secret_wrong",
    ],
    asks="GET /{app-id}/subscriptions (app token)",
)
def webhooks_app_subscription(doctor: Doctor) -> list[Finding]:
    """The app's own webhook subscription, read with its app token (WHATSAPP_APP_ID and
    WHATSAPP_APP_SECRET): a WhatsApp object with a callback URL, active, with ``messages``. A
    secret Meta refuses is its own finding: the CRM could not verify webhook signatures."""
    app_id = require_usable_id(doctor, "app_id")
    try:
        whatsapp = app_whatsapp_subscription(doctor, app_id)
    except GraphApiError as error:
        if error.code == 190:
            return [
                finding("webhooks.app_secret_wrong", app_id=app_id, meta_message=error.meta_message)
            ]
        raise
    if not delivering(whatsapp):
        return [finding("webhooks.app_not_subscribed", app_id=app_id)]
    fields = subscribed_fields(whatsapp)
    return findings_if(
        "messages" not in fields,
        "webhooks.messages_field_missing",
        app_id=app_id,
        callback_url=str(whatsapp.get("callback_url")),
        fields=", ".join(fields) or "—",
    )


def app_whatsapp_subscription(doctor: Doctor, app_id: str | None) -> dict[str, Any] | None:
    """The app's WhatsApp webhook subscription (GET /{app-id}/subscriptions with its app token,
    asked once a run: the client caches it), None when it has none; not applicable without the
    app's id and secret."""
    if not app_id or not doctor.config.app_secret:
        raise NotApplicable("skip_no_app_secret")
    answer = doctor.graph.get(f"{app_id}/subscriptions", str(doctor.app_token))
    return next(
        (
            s
            for s in answer.get("data") or []
            if isinstance(s, dict) and s.get("object") == WHATSAPP_OBJECT
        ),
        None,
    )


def delivering(subscription: dict[str, Any] | None) -> bool:
    """Whether the app's WhatsApp subscription can deliver anything: there, active, with a
    callback URL."""
    return (
        subscription is not None
        and bool(subscription.get("callback_url"))
        and subscription.get("active") is not False
    )


def subscribed_fields(subscription: dict[str, Any]) -> list[str]:
    return [str(f.get("name")) for f in subscription.get("fields") or [] if isinstance(f, dict)]


COEXISTENCE_FIELDS = ("smb_message_echoes", "history", "smb_app_state_sync")
"""The webhook fields a number shared with the Business app needs besides ``messages``:
what its owner writes on the phone, the chat history, and contact changes (Meta,
"Onboard WhatsApp Business app users")."""


@check(
    raises=["webhooks.coexistence_fields_missing"],
    reads=[phone_number],
    asks="GET /{app-id}/subscriptions (app token), for a number shared with the Business app",
)
def webhooks_coexistence_fields(doctor: Doctor, credential: Credential) -> list[Finding]:
    """A number shared with the Business app: is the app subscribed to the fields that carry
    what happens on the phone? Without ``smb_message_echoes`` the replies its owner types on
    the phone never reach the CRM (users report them as messages missing)."""
    if not on_business_app(read_or_blocked(phone_number, doctor, credential)):
        raise NotApplicable("skip_not_coexistence")
    app_id = require_usable_id(doctor, "app_id")
    try:
        whatsapp = app_whatsapp_subscription(doctor, app_id)
    except GraphApiError as error:
        if error.code == 190:
            raise Blocked("webhooks.app_secret_wrong") from None
        raise
    if not delivering(whatsapp):
        raise Blocked("webhooks.app_not_subscribed")  # that check's finding says it
    fields = subscribed_fields(whatsapp)
    missing = [f for f in COEXISTENCE_FIELDS if f not in fields]
    return findings_if(
        bool(missing),
        "webhooks.coexistence_fields_missing",
        app_id=app_id,
        missing=", ".join(missing),
        fields=", ".join(fields) or "—",
    )


OVERRIDE_LEVELS = ("phone_number", "whatsapp_business_account", "application")
"""Where Meta sends a number's ``messages`` webhooks: the first level with a callback URL
("Webhook overrides": the number's alternate, else the WABA's, else the app's)."""


def callback_urls(doctor: Doctor, credential: Credential) -> dict[str, str]:
    """The number's callback URL at each level that has one, the one that wins first (its
    ``webhook_configuration``, read with the phone number); not applicable when Meta did not
    return it."""
    configuration = read_or_blocked(phone_number, doctor, credential).get("webhook_configuration")
    if not isinstance(configuration, dict):
        raise NotApplicable("skip_no_webhook_configuration")
    return {
        level: str(configuration[level])
        for level in OVERRIDE_LEVELS
        if isinstance(configuration.get(level), str) and configuration[level].strip()
    }


@check(raises=["webhooks.override"], reads=[phone_number])
def webhooks_override(doctor: Doctor, credential: Credential) -> list[Finding]:
    """An alternate callback URL on the number or its WABA, other than the app's, takes the
    number's messages and statuses elsewhere: a warning naming the URL that wins."""
    urls = callback_urls(doctor, credential)
    level = next(iter(urls), "application")
    app_url = urls.get("application")
    if level == "application" or not app_url or urls[level] == app_url:
        return []
    return [
        finding(
            "webhooks.override",
            level=[f"override_{level}"],
            override_url=handshake.shown_url(urls[level]),
            app_url=handshake.shown_url(app_url),
        )
    ]


@check(
    raises=[
        "webhooks.handshake_not_https",
        "webhooks.handshake_private_address",
        "webhooks.handshake_unreachable",
        "webhooks.handshake_bad_certificate",
        "webhooks.handshake_status",
        "webhooks.handshake_challenge",
        "webhooks.handshake_slow",
    ],
    reads=[phone_number],
    asks="GET {webhook URL}, as Meta verifies it (only with --wa-webhook-verify)",
)
def webhooks_handshake(doctor: Doctor, credential: Credential) -> list[Finding]:
    """Opt-in (``--wa-webhook-verify``): Meta's verification request to the callback URL Meta
    uses for this number, answered as Meta needs. Once per URL, however many numbers share it."""
    if not doctor.config.webhook_verify:
        raise NotApplicable("skip_webhook_verify_off")
    verify_token = doctor.config.webhook_verify_token
    if not verify_token:
        raise NotApplicable("skip_no_verify_token")
    url = next(iter(callback_urls(doctor, credential).values()), None)
    if url is None:
        raise NotApplicable("skip_no_callback_url")
    limit = min(handshake.LIMIT, doctor.config.timeout)
    trust = doctor.config.trusted_ca
    result = doctor.once(
        f"handshake {url}",
        lambda: handshake.verify(
            url,
            str(verify_token),
            doctor.redactor,
            limit=limit,
            trust=str(trust) if trust else None,
            local_graph=handshake.is_local(doctor.config.graph_url),
        ),
    )
    if result.finding is None:
        return []
    return [finding(result.finding, callback_url=result.url, **result.params)]
