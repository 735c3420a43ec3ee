"""A faithful Graph API simulator: real HTTP on 127.0.0.1, Meta's real bodies, named scenarios.

Used by ``pytest diagnostics/ --wa-simulate SCENARIO`` (a real report in seconds, no network)
and by the project's tests.
"""

from __future__ import annotations

from dataclasses import replace

from ..config import Config, shown_value
from ..errors import ConfigError
from ..settings import SETTINGS_BY_NAME
from .callback import CA_FILE
from .scenarios import SCENARIOS, build, listing
from .server import GraphSimulator
from .world import Callback

__all__ = ["SCENARIOS", "GraphSimulator", "build", "listing", "start_for"]


def start_for(name: str, config: Config) -> tuple[GraphSimulator, Config]:
    """Start scenario ``name`` and return the server and the configuration pointed at it.

    With no database configured, the scenario's own credential stands in for the CRM row.
    The handshake (``--wa-webhook-verify``) always meets the simulator's own endpoint, never a
    real host, and the doctor trusts the simulator's CA for it.
    """
    if name not in SCENARIOS:
        raise ConfigError(
            f"--wa-simulate / WA_DOCTOR_SIMULATE: unknown scenario {shown_value(name)}; "
            "`wa-doctor check --wa-simulate list` lists them"
        )
    world = build(name)
    if config.webhook_verify and world.callback is None:
        world.callback = Callback.ECHO
        world.verify_token = str(config.webhook_verify_token or world.verify_token)
    simulator = GraphSimulator(world)
    simulator.start()
    changes: dict[str, object] = {
        "graph_url": simulator.url,
        **{name: SETTINGS_BY_NAME[name].parse(value) for name, value in world.settings.items()},
    }
    if not config.database_url:
        changes.update(
            access_token=world.token,
            phone_number_id=world.configured_phone_number_id or world.phone_number_id,
            business_account_id=world.waba_id if world.waba_configured else None,
        )
    trusted = simulator.callback is not None and simulator.callback.trusted
    return simulator, replace(
        config.with_values(**changes), trusted_ca=CA_FILE if trusted else None
    )
