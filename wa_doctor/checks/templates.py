"""Is the campaign template there, in that exact language, and APPROVED? (reference 4.4)"""

from __future__ import annotations

from typing import Any

from ..credentials import Credential
from ..doctor import Doctor
from ..findings import Finding, finding
from ..prefetch import reads, resource
from .configuration import require_token
from .token import credential_waba, inspect

STATUS_FINDINGS = {"PAUSED": "template.paused", "DISABLED": "template.disabled"}
"""Statuses with their own remedy; any other status but APPROVED is template.not_approved."""


@resource(inspect)
def fetch_templates(doctor: Doctor, credential: Credential) -> tuple[str, dict[str, Any]]:
    """The credential's WABA and its templates named ``--wa-template`` (one request per run)."""
    waba = credential_waba(doctor, credential)
    answer = doctor.graph.get(
        f"{waba}/message_templates",
        require_token(credential),
        {
            "name": str(doctor.config.template),
            "fields": "name,language,status,category",
            "limit": "100",
        },
    )
    return waba, answer


@reads(fetch_templates)
def campaign_template_usable(doctor: Doctor, credential: Credential) -> list[Finding]:
    waba, answer = fetch_templates(doctor, credential)
    name, language = str(doctor.config.template), str(doctor.config.template_language)
    named = [t for t in answer.get("data") or [] if isinstance(t, dict) and t.get("name") == name]
    params = {"template": name, "language": language, "waba_id": waba}
    if not named:
        return [finding("template.missing", **params)]
    match = next((t for t in named if t.get("language") == language), None)
    if match is None:
        languages = ", ".join(sorted(str(t.get("language")) for t in named))
        return [finding("template.language_missing", available=languages, **params)]
    status = str(match.get("status") or "?")
    if status == "APPROVED":
        return []
    return [finding(STATUS_FINDINGS.get(status, "template.not_approved"), status=status, **params)]
