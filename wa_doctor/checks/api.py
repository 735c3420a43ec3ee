"""Is the Graph API version the CRM calls still served? Meta's answers say which version really
answered (``facebook-api-version``, ``X-Ad-Api-Version-Warning``); the dated table is a forecast,
used for what the answers cannot say (a version ending soon, the versions in the CRM's code)."""

from __future__ import annotations

import contextlib
import re
from datetime import date

from .. import tokens
from ..catalog import Catalog
from ..credentials import Credential
from ..doctor import Doctor
from ..errors import Blocked, GraphError, NotApplicable
from ..findings import Finding, finding
from ..graph import ServedVersion
from ..registry import check
from ..settings import DEFAULT_API_VERSION
from .prerequisites import require_token
from .repository import grep, shown_places

ENDING_WINDOW_DAYS = 90
"""Warn this long before Meta stops serving the configured version."""


@check(
    raises=[
        "api.auto_upgraded",
        "api.version_unsupported",
        "api.version_ending",
        "api.version_invalid",
    ],
    asks="GET /debug_token (the token checks' own; one more for a retired version)",
)
def api_version_supported(doctor: Doctor) -> list[Finding]:
    """What Meta's answers say first: a call it upgraded to another version (its headers),
    whatever the table forecasts; else the configured version against the dated table."""
    version = doctor.config.api_version.strip()
    found = judge(doctor.catalog, doctor.today, version)
    if found is not None and found.id == "api.version_invalid":
        return [found]
    served = _served(doctor, version)
    if served is not None and served.upgraded:
        return [
            finding(
                "api.auto_upgraded",
                served_instead=served.served,
                meta_warning=f"Meta: «{served.warning}»" if served.warning else "",
                **{**_params(doctor.catalog, version), **(found.params if found else {})},
            )
        ]
    return [found] if found else []


def _served(doctor: Doctor, version: str) -> ServedVersion | None:
    """What Meta's answers say of ``version``. The checks call it unless the table says it is
    retired (they call a served one then): its answers say it, and before the first one, the
    first token's ``debug_token`` is asked through the run's cache (the request the token
    checks make anyway, never one more). A retired version costs one ``debug_token`` of its
    own."""
    token = next(filter(None, map(_sendable_token, doctor.credentials)), None)
    if doctor.graph.version != version:
        return doctor.graph.ask_version(version, token) if token else None
    served = doctor.graph.served_version(version)
    if served is None and token:
        with contextlib.suppress(GraphError):  # an error's answer has the headers too
            tokens.inspect(doctor.graph, token, doctor.app_token)
        served = doctor.graph.served_version(version)
    return served


def _sendable_token(credential: Credential) -> str | None:
    """The credential's token if a request can carry it (not missing, not malformed)."""
    try:
        return require_token(credential)
    except Blocked:
        return None


def _params(catalog: Catalog, version: str) -> dict[str, object]:
    recommended = catalog.api_version(DEFAULT_API_VERSION)
    return {
        "api_version": version,
        "recommended": DEFAULT_API_VERSION,
        "recommended_until": recommended.available_until if recommended else "—",
    }


def judge(catalog: Catalog, today: date, version: str) -> Finding | None:
    """The finding for a Graph version on ``today``: retired, ending soon, or not a version
    (no run needed: the pre-commit hook judges the versions in staged files too)."""
    params = _params(catalog, version)
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
