"""One read of the WABA for several checks: the node, its phone numbers and its subscribed apps.

Asked one by one they were four requests per credential after ``debug_token`` (the WABA, its
phone list, its subscribed apps, the number itself), which at eight in flight decided how long
a large fleet took. Graph's field expansion (``phone_numbers{…}``) answers them in one. That
answer is trusted only where it is an answer: when the combined read fails, or leaves a part out
(Graph omits an empty edge), each part is asked on its own, so every error and empty list is
the one the part's own request gives and the diagnosis is the same as with four requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..credentials import Credential
from ..doctor import Doctor
from ..errors import DoctorError
from ..prefetch import resource
from .configuration import require_token
from .token import credential_waba, fetch_token_info

WABA_FIELDS = "account_review_status,business_verification_status"
PHONE_FIELDS = ",".join(
    (
        "id",
        "display_phone_number",
        "verified_name",
        "quality_rating",
        "code_verification_status",
        "name_status",
        "status",
        "account_mode",
        "platform_type",
        "throughput",
        "whatsapp_business_manager_messaging_limit",
        "health_status",
        "webhook_configuration",
    )
)
"""Asked explicitly: without ``fields`` Meta returns only four of them (S-SPEC).
``webhook_configuration`` is the field Meta's "Webhook overrides" page reads on the number."""
APPS_FIELDS = "whatsapp_business_api_data{id}"
COMBINED = "GET /{waba-id}?fields=…,phone_numbers{…},subscribed_apps{…}"
"""The combined read in words, for the listing of checks."""


@resource(fetch_token_info, request=COMBINED)
def fetch_waba_overview(doctor: Doctor, credential: Credential) -> tuple[str, dict[str, Any]]:
    """The credential's WABA and Graph's answer for it with both edges nested (one request).

    Not retried: each part has its own request to fall back on, and the error a large nested
    read can get ("Please reduce the amount of data you're asking for", code 1, HTTP 500)
    looks transient but comes back every time."""
    waba = credential_waba(doctor, credential)
    fields = f"{WABA_FIELDS},phone_numbers{{{PHONE_FIELDS}}},subscribed_apps{{{APPS_FIELDS}}}"
    return waba, doctor.graph.get(waba, require_token(credential), {"fields": fields}, retry=False)


def overview_part(doctor: Doctor, credential: Credential, part: str | None) -> Any:
    """A part of the combined answer (``None``: the WABA node itself), or ``None`` when the
    combined read failed or left it out."""
    try:
        _, answer = fetch_waba_overview(doctor, credential)
    except DoctorError:
        return None
    value = answer if part is None else answer.get(part)
    return value if isinstance(value, dict) else None


def part_or_alone(
    doctor: Doctor,
    credential: Credential,
    part: str | None,
    path: str,
    params: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A part of the combined answer, else what the part's own request (``GET /{path}``)
    answers: its errors and empty lists are then the ones the checks always read."""
    found = overview_part(doctor, credential, part)
    return found if found is not None else doctor.graph.get(path, require_token(credential), params)
