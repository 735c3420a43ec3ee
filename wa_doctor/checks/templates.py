"""Is the campaign template there, in that exact language, and APPROVED? (reference 4.4)"""

from __future__ import annotations

from ..credentials import Credential
from ..doctor import Doctor
from ..findings import Finding, finding
from .configuration import require_token
from .token import credential_waba

STATUS_FINDINGS = {"PAUSED": "template.paused", "DISABLED": "template.disabled"}
"""Statuses with their own remedy; any other status but APPROVED is template.not_approved."""


def campaign_template_usable(doctor: Doctor, credential: Credential) -> list[Finding]:
    waba = credential_waba(doctor, credential)
    name, language = str(doctor.config.template), str(doctor.config.template_language)
    answer = doctor.graph.get(
        f"{waba}/message_templates",
        require_token(credential),
        {"name": name, "fields": "name,language,status,category", "limit": "100"},
    )
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
