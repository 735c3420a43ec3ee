"""Is the Graph API version the CRM calls still served? A dated table; Meta is asked only which
version it really answers a retired one with (one ``debug_token``)."""

from __future__ import annotations

import re
from datetime import date

from ..catalog import Catalog
from ..doctor import Doctor
from ..errors import NotApplicable
from ..findings import Finding, finding
from ..registry import check
from ..settings import DEFAULT_API_VERSION
from .repository import grep, shown_places

ENDING_WINDOW_DAYS = 90
"""Warn this long before Meta stops serving the configured version."""


@check(
    raises=["api.version_unsupported", "api.version_ending", "api.version_invalid"],
    asks="GET /debug_token (only for a retired version)",
)
def api_version_supported(doctor: Doctor) -> list[Finding]:
    """The configured version on today's date; for a retired one, Meta is asked which version
    it really answers with (one debug_token, only then)."""
    version = doctor.config.api_version.strip()
    found = judge(doctor.catalog, doctor.today, version)
    if found is None or found.id != "api.version_unsupported":
        return [found] if found else []
    token = next((c.clean_token for c in doctor.credentials if c.clean_token), None)
    served = doctor.graph.served_version(version, token) if token else None
    if served:
        found = finding(found.id, **{**found.params, "served_instead": served})
    return [found]


def judge(catalog: Catalog, today: date, version: str) -> Finding | None:
    """The finding for a Graph version on ``today``: retired, ending soon, or not a version
    (no run needed: the pre-commit hook judges the versions in staged files too)."""
    recommended = catalog.api_version(DEFAULT_API_VERSION)
    oldest = catalog.oldest_served_api_version(today)
    params = {
        "api_version": version,
        "recommended": DEFAULT_API_VERSION,
        "recommended_until": recommended.available_until if recommended else "—",
        "served_instead": oldest.name if oldest else "—",
    }
    entry = catalog.api_version(version)
    if entry is None:
        if catalog.is_future_api_version(version):
            return None
        if catalog.is_retired_api_version(version):
            first = min(catalog.api_versions, key=lambda v: v.released)
            return finding(
                "api.version_unsupported", available_until=f"≤ {first.available_until}", **params
            )
        return finding("api.version_invalid", **params)
    if entry.available_until is None:
        return None
    days_left = (entry.available_until - today).days
    if days_left < 0:
        return finding("api.version_unsupported", available_until=entry.available_until, **params)
    if days_left <= ENDING_WINDOW_DAYS:
        return finding(
            "api.version_ending",
            available_until=entry.available_until,
            days_left=days_left,
            **params,
        )
    return None


IN_CODE = {
    "api.version_unsupported": "api.code_version_unsupported",
    "api.version_ending": "api.code_version_ending",
}
"""What a version judged in the CRM's code is reported as (the configured one is one thing,
the URLs the CRM really calls are another)."""

VERSION_IN_URL = re.compile(r"graph\.facebook\.com/(?P<version>v\d{1,4}\.\d{1,4})(?!\d)")
"""A Graph version written into a URL (the CRM's code, a staged file); a "version" of more
digits than any will have is no version, and no number Python refuses to read."""


@check(raises=["api.code_version_unsupported", "api.code_version_ending"])
def api_versions_in_code(doctor: Doctor) -> list[Finding]:
    """With ``--wa-app-dir``: every ``graph.facebook.com/vNN.N`` in the CRM's tracked files,
    judged like the configured version, with the files and lines that call it."""
    if not doctor.config.app_dir:
        raise NotApplicable("skip_no_app_dir")
    places: dict[str, list[str]] = {}
    for file, line, text in grep(doctor, "-E", r"graph\.facebook\.com/v[0-9]+\.[0-9]+", "--", "."):
        for version in {match["version"] for match in VERSION_IN_URL.finditer(text)}:
            places.setdefault(version, []).append(f"{file}:{line}")
    found = []
    for version, where in places.items():
        judged = judge(doctor.catalog, doctor.today, version)
        if judged is not None and judged.id in IN_CODE:
            found.append(
                finding(
                    IN_CODE[judged.id],
                    places=shown_places(where),
                    locations=tuple(where),
                    **judged.params,
                )
            )
    return found
