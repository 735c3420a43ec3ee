"""Is the Graph API version the CRM calls still served? (A dated table, no network.)"""

from __future__ import annotations

from ..config import DEFAULT_API_VERSION
from ..doctor import Doctor
from ..findings import Finding, finding

ENDING_WINDOW_DAYS = 90
"""Warn this long before Meta stops serving the configured version."""


def api_version_supported(doctor: Doctor) -> list[Finding]:
    version = str(doctor.config.api_version).strip()
    recommended = doctor.catalog.api_version(DEFAULT_API_VERSION)
    params = {
        "api_version": version,
        "recommended": DEFAULT_API_VERSION,
        "recommended_until": recommended.available_until if recommended else "—",
    }
    oldest = doctor.catalog.oldest_served_api_version(doctor.today)
    params["served_instead"] = oldest.name if oldest else "—"
    entry = doctor.catalog.api_version(version)
    if entry is None:
        if doctor.catalog.is_future_api_version(version):
            return []
        if doctor.catalog.is_retired_api_version(version):
            first = min(doctor.catalog.api_versions, key=lambda v: v.released)
            until = f"≤ {first.available_until}"
            return [finding("api.version_unsupported", available_until=until, **params)]
        return [finding("api.version_invalid", **params)]
    if entry.available_until is None:
        return []
    days_left = (entry.available_until - doctor.today).days
    if days_left < 0:
        return [finding("api.version_unsupported", available_until=entry.available_until, **params)]
    if days_left <= ENDING_WINDOW_DAYS:
        return [
            finding(
                "api.version_ending",
                available_until=entry.available_until,
                days_left=days_left,
                **params,
            )
        ]
    return []
