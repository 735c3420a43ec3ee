"""Scenarios of the Graph API version the CRM calls (reference section 6)."""

from __future__ import annotations

from functools import partial

from ..world import World
from .base import Scenario


def _api_version(version: str, world: World, now: int) -> None:
    world.settings["api_version"] = version


SCENARIOS: dict[str, Scenario] = {
    "api-version-ending": Scenario(
        "The CRM calls v21.0, the guide's version, which ends 2027-01-21.",
        "api.version_ending",
        partial(_api_version, "v21.0"),
    ),
    "api-version-unsupported": Scenario(
        "The CRM calls v20.0, no longer served since 2026-09-24.",
        "api.version_unsupported",
        partial(_api_version, "v20.0"),
    ),
}
