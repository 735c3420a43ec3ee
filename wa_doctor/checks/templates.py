"""Is the campaign template there, in that exact language, APPROVED, and does the campaign fit it?
(reference 4.4; the 132000 family before it happens)"""

from __future__ import annotations

import re
from typing import Any

from ..credentials import Credential
from ..doctor import Doctor
from ..errors import Blocked, NotApplicable
from ..findings import Finding, finding, findings_if
from ..registry import check
from .prerequisites import read_or_blocked, templates, waba_id

STATUS_FINDINGS = {
    "PAUSED": "template.paused",
    "DISABLED": "template.disabled",
    "REJECTED": "template.rejected",
}
"""Statuses with their own remedy; any other status but APPROVED is template.not_approved."""

MEDIA_HEADERS = ("IMAGE", "VIDEO", "DOCUMENT", "LOCATION")
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
US_PREFIX = ("+1", "US.")
"""Meta pauses marketing templates to United States users: a +1 number (and a US area code),
or a business-scoped user id of the US."""


def _problem(doctor: Doctor, credential: Credential) -> tuple[Finding | None, dict[str, Any]]:
    """The template's problem (missing, other language, not approved), or None and the
    template itself."""
    waba, answer = waba_id(doctor, credential), templates(doctor, credential)
    name, language = doctor.config.template, doctor.config.template_language
    named = [t for t in answer.get("data") or [] if isinstance(t, dict) and t.get("name") == name]
    params = {"template": name, "language": language, "waba_id": waba}
    if not named:
        return finding("template.missing", **params), {}
    match = next((t for t in named if t.get("language") == language), None)
    if match is None:
        languages = ", ".join(sorted(str(t.get("language")) for t in named))
        return finding("template.language_missing", available=languages, **params), {}
    status = str(match.get("status") or "?")
    if status != "APPROVED":
        found = STATUS_FINDINGS.get(status, "template.not_approved")
        reason = str(match.get("rejected_reason") or "")
        detail = f"rejected_reason {reason}" if reason not in ("", "NONE") else ""
        return finding(found, status=status, detail=detail, **params), match
    return None, match


@check(
    raises=[
        "template.waba_unknown",
        "template.missing",
        "template.language_missing",
        "template.not_approved",
        "template.paused",
        "template.disabled",
        "template.rejected",
    ],
    reads=[templates],
)
def campaign_template_usable(doctor: Doctor, credential: Credential) -> list[Finding]:
    try:
        problem, _ = _problem(doctor, credential)
    except NotApplicable as skip:
        if skip.reason != "skip_no_waba":
            raise
        return [finding("template.waba_unknown", template=doctor.config.template)]
    return [problem] if problem else []


CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")
"""Today's categories: a ``previous_category`` among them is a move Meta made (UTILITY to
MARKETING); an older name (Meta's own hello_world example shows ACCOUNT_UPDATE) is the 2023
renaming of every template, no news."""


@check(raises=["template.category_changed"], reads=[templates])
def campaign_template_category(doctor: Doctor, credential: Credential) -> list[Finding]:
    """Meta moved the campaign template to another category (``previous_category``): its price
    and who may receive it change with it, without the CRM changing anything."""
    problem, template = read_or_blocked(_problem, doctor, credential)
    if problem is not None:
        raise Blocked(problem.id)
    before, now = str(template.get("previous_category") or ""), str(template.get("category"))
    return findings_if(
        before in CATEGORIES and before != now,
        "template.category_changed",
        template=doctor.config.template,
        language=doctor.config.template_language,
        detail=f"{before} → {now}",
    )


@check(
    raises=["template.params_mismatch", "template.shape", "template.marketing_us_pause"],
    reads=[templates],
)
def campaign_template_fits(doctor: Doctor, credential: Credential) -> list[Finding]:
    """What each send needs (body parameters, a media header's link), checked against
    ``--wa-template-params``; a MARKETING template to a +1 recipient gets Meta's US pause."""
    problem, template = read_or_blocked(_problem, doctor, credential)
    if problem is not None:
        raise Blocked(problem.id)
    shape = _shape(template)
    params = {
        "template": doctor.config.template,
        "language": doctor.config.template_language,
        "category": str(template.get("category") or "?"),
        "placeholders": ", ".join(shape["body"]) or "—",
    }
    given = doctor.config.template_params
    expected = len(shape["body"])
    if given is not None and int(given) != expected:
        return [finding("template.params_mismatch", expected=expected, given=given, **params)]
    recipient = str(doctor.config.send_to or "")
    us_pause = findings_if(
        params["category"] == "MARKETING" and recipient.startswith(US_PREFIX),
        "template.marketing_us_pause",
        recipient=recipient,
        **params,
    )
    if us_pause:
        return us_pause
    return findings_if(
        bool(expected or shape["header"] != "—"),
        "template.shape",
        placeholders_count=expected,
        header=shape["header"],
        **params,
    )


def _shape(template: dict[str, Any]) -> dict[str, Any]:
    """The body's placeholders ({{1}}, {{name}}) and the header (text with its own, or media)."""
    body: list[str] = []
    header = "—"
    for component in template.get("components") or []:
        if not isinstance(component, dict):
            continue
        kind = str(component.get("type") or "").upper()
        text = str(component.get("text") or "")
        if kind == "BODY":
            body = ["{{" + p + "}}" for p in dict.fromkeys(_PLACEHOLDER.findall(text))]
        elif kind == "HEADER":
            form = str(component.get("format") or "TEXT").upper()
            if form in MEDIA_HEADERS:
                header = form
            elif _PLACEHOLDER.search(text):
                header = "TEXT {{…}}"
    return {"body": body, "header": header}
