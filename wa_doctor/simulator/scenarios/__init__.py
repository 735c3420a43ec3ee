"""Named scenarios: a healthy world, then one small change per documented failure, each area's
in its own module (the areas of the checks they serve).

Each scenario names the finding it demonstrates; the project's tests run every scenario and
assert exactly that finding, and ``--wa-simulate list`` prints this table.
"""

from __future__ import annotations

import importlib
import time

from ..world import World
from .base import Scenario, add_tenants, healthy

AREAS = ("token", "api", "phone", "account", "templates", "webhooks", "messaging", "graph")
"""Each area's module, in the order the listing shows them."""

SCENARIOS: dict[str, Scenario] = {
    "healthy": Scenario(
        "Everything works: System User token, connected number, hello_world.",
        None,
        lambda world, now: None,
    ),
}
for _area in AREAS:
    SCENARIOS.update(importlib.import_module(f"{__name__}.{_area}").SCENARIOS)

__all__ = ["SCENARIOS", "Scenario", "add_tenants", "build", "healthy", "listing"]


def build(name: str, token: str | None = None, now: int | None = None) -> World:
    """The world of scenario ``name``; ``token`` fixes the main token (tests pass their own)."""
    world = healthy(token)
    scenario = SCENARIOS[name]
    world.settings.update(scenario.settings)
    scenario.apply(world, int(now if now is not None else time.time()))
    return world


def listing() -> str:
    """The table ``--wa-simulate list`` prints."""
    width = max(map(len, SCENARIOS))
    lines = [
        f"{name:<{width}}  {s.finding or '(no finding)':<34} {s.description}"
        for name, s in SCENARIOS.items()
    ]
    return "Scenarios for --wa-simulate:\n" + "\n".join(lines)
