"""Scenarios of the Graph API version the CRM calls (reference section 6)."""

from __future__ import annotations

from functools import partial

from ..world import World
from .base import Scenario


def _api_version(version: str, world: World, now: int) -> None:
    world.settings["api_version"] = version


def _upgraded_early(world: World, now: int) -> None:
    _api_version("v22.0", world, now)
    world.auto_upgrades["v22.0"] = "v25.0"


def _no_version_header(world: World, now: int) -> None:
    _api_version("v20.0", world, now)
    world.version_headers = False


SCENARIOS: dict[str, Scenario] = {
    "api-version-ending": Scenario(
        "The CRM calls v21.0, the guide's version, which ends 2027-01-21.",
        "api.version_ending",
        partial(_api_version, "v21.0"),
    ),
    "api-version-retired": Scenario(
        "The CRM calls v20.0, retired on 2026-09-24: Meta answers as the newest version and "
        "says so in X-Ad-Api-Version-Warning.",
        "api.auto_upgraded",
        partial(_api_version, "v20.0"),
    ),
    "api-version-upgraded-early": Scenario(
        "The CRM calls v22.0, served until 2027-05-20 by Meta's table, but Meta already "
        "answers as v25.0 (as recorded in the field: v20.0 answered as v22.0 in April 2025).",
        "api.auto_upgraded",
        _upgraded_early,
    ),
    "api-version-unsupported": Scenario(
        "The CRM calls v20.0, retired on 2026-09-24; a proxy drops Meta's version headers, "
        "so the table decides.",
        "api.version_unsupported",
        _no_version_header,
    ),
}
