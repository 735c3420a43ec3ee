"""Opt-in live sends: the guide's curl test, and the 24-hour window (reference 2.1, 5).

Nothing is sent unless the user names a recipient with ``--wa-send-to``. A send error from Meta
propagates as its catalog finding (131030, 131047, 132001, …); a 200 is reported as what it is,
"accepted", never as "delivered".
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..credentials import Credential
from ..doctor import Doctor
from ..errors import GraphApiError, NotApplicable
from ..findings import Finding, finding
from ..registry import check
from ..settings import BSUID
from .phone import require_phone
from .prerequisites import phone_number, require_phone_id, require_token, subscribed_apps
from .webhooks import unsubscribed_wabas

TEXT_BODY = "wa-doctor: prueba de envío / send test"


def _recipient(doctor: Doctor) -> str:
    if not doctor.config.send_to:
        raise NotApplicable("skip_no_send_to")
    return str(doctor.config.send_to).strip()


EXTRA_MOBILE_DIGIT = {"549": "Argentina", "521": "México"}
"""Country code plus the digit WhatsApp gives mobiles there, which a test number's "To" list
may lack (131030 for a number that is on the list without it)."""


def _addressed(recipient: str) -> dict[str, str]:
    """Where a send names its recipient: a number goes in ``to``; a business-scoped user id in
    ``recipient`` (Meta: a BSUID in ``to`` is read as a phone number and lost)."""
    return {"recipient": recipient} if BSUID.fullmatch(recipient) else {"to": recipient}


def _extra_digit(doctor: Doctor, recipient: str) -> str | None:
    """For an Argentinian or Mexican mobile, the number without WhatsApp's extra digit, said
    in the run's language (the first thing to try on a 131030)."""
    digits = "".join(c for c in recipient if c.isdigit())
    country = EXTRA_MOBILE_DIGIT.get(digits[:3])
    if country is None:
        return None
    without = f"+{digits[:2]}{digits[3:]}"
    return doctor.catalog.label("send_to_extra_digit", doctor.lang).format(
        recipient=recipient, country=country, digit=digits[2], without=without
    )


def _send(doctor: Doctor, credential: Credential, payload: dict[str, Any]) -> dict[str, Any]:
    require_phone(doctor, credential)
    body = {"messaging_product": "whatsapp", "recipient_type": "individual", **payload}
    try:
        answer = doctor.graph.post(
            f"{require_phone_id(credential)}/messages", require_token(credential), body
        )
    except GraphApiError as error:
        if error.finding_id != "messaging.recipient_not_allowed":
            raise
        hint = _extra_digit(doctor, str(payload.get("to", "")))
        if hint is None:
            raise
        raise error.as_finding(error.finding_id, detail=f"{error} {hint}") from None
    messages = answer.get("messages") or [{}]
    return messages[0] if isinstance(messages[0], dict) else {}


@check(
    raises=[
        "messaging.template_accepted",
        "messaging.recipient_not_allowed",
        "messaging.account_locked",
        "messaging.temporarily_blocked",
        "messaging.window_24h",
        "messaging.account_maintenance",
        "messaging.country_restricted",
        "messaging.marketing_disabled",
        "messaging.template_misuse_limited",
        "messaging.required_parameter_missing",
        "messaging.template_param_invalid",
        "messaging.template_text_too_long",
        "messaging.template_policy_violated",
        "messaging.bsuid_not_supported",
    ],
    reads=[phone_number],
    asks="POST /{phone-number-id}/messages (only with --wa-send-to)",
)
def template_send(doctor: Doctor, credential: Credential) -> list[Finding]:
    """Send the campaign template exactly as the guide's curl does."""
    recipient = _recipient(doctor)
    name, language = doctor.config.template, doctor.config.template_language
    sent = _send(
        doctor,
        credential,
        {
            **_addressed(recipient),
            "type": "template",
            "template": {"name": name, "language": {"code": language}},
        },
    )
    return [
        finding(
            "messaging.template_accepted",
            template=name,
            recipient=recipient,
            message_id=sent.get("id", "?"),
            message_status=sent.get("message_status", "?"),
        )
    ]


@check(
    raises=["messaging.text_accepted", "messaging.window_24h", "messaging.recipient_not_allowed"],
    reads=[phone_number],
    asks="POST /{phone-number-id}/messages (only with --wa-send-to and --wa-send-text)",
)
def text_send(doctor: Doctor, credential: Credential) -> list[Finding]:
    """A free-form text: a synchronous 131047 is the window finding; a 200 proves nothing yet."""
    recipient = _recipient(doctor)
    if not doctor.config.send_text:
        raise NotApplicable("skip_no_send_text")
    sent = _send(
        doctor,
        credential,
        {
            **_addressed(recipient),
            "type": "text",
            "text": {"preview_url": False, "body": TEXT_BODY},
        },
    )
    return [finding("messaging.text_accepted", recipient=recipient, message_id=sent.get("id", "?"))]


@check(
    raises=[
        "messaging.window_24h",
        "messaging.recipient_not_allowed",
        "graph.error",
        "db.query_failed",
        "webhooks.failures_unseen",
    ],
    reads=[subscribed_apps],
)
def recent_send_failures(doctor: Doctor) -> list[Finding]:
    """What production already saw: the CRM's stored failures, one finding per error code.

    131047 here is the guide's "more than 24 hours have passed" seen for real, which no probe
    can show because Meta reports it by webhook.
    """
    query = doctor.config.failures_query
    if not query:
        raise NotApplicable("skip_no_failures_query")
    doctor.require_database()
    from ..store import read_failures  # only with a database: it loads the driver

    rows = read_failures(str(doctor.config.database_url), str(query), doctor.redactor)
    if not rows:
        unseen = unsubscribed_wabas(doctor)
        if unseen:  # no stored failure proves nothing when no webhook can deliver one
            return [finding("webhooks.failures_unseen", waba_ids=", ".join(unseen))]
    seen: dict[int | None, list[Any]] = defaultdict(list)
    for code, when in rows:
        seen[code].append(when)
    findings = []
    for code, times in sorted(seen.items(), key=lambda item: -len(item[1])):
        finding_id = doctor.catalog.for_graph_error(code) if code is not None else None
        last = max((t for t in times if t is not None), default="—")
        findings.append(
            finding(
                finding_id or "graph.error",
                detail=f"code {code}: {len(times)} × (last {last})",
                meta_message=f"code {code}",
                fbtrace_id="—",
            )
        )
    return findings
