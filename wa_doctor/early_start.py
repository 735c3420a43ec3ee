"""``wa-doctor check`` asks Graph before pytest has started.

pytest's import and start-up take a good part of a second, and a diagnosis' first requests need
only the configuration and the credentials. So, when nothing on the command line narrows the
run, the command reads both itself, starts fetching what every check will read, and then starts
pytest; the plugin takes this doctor over (:func:`take`) instead of making another. Whatever
this module cannot be sure of (a ``-k``, a file argument, ``PYTEST_ADDOPTS`` or
``PYTEST_PLUGINS``, an option it does not know) leaves everything to pytest, as ``pytest
diagnostics/`` does: no request is made twice, or for a check that will not run. An error
here (a bad value, an unreachable database) is left for pytest's run to report the usual way.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .settings import SETTINGS

if TYPE_CHECKING:
    from .doctor import Doctor
    from .prefetch import Prefetcher
    from .redaction import RedactingLogRecordFactory

FLAGS = frozenset(
    {"-q", "-qq", "--quiet", "-v", "-vv", "-vvv", "--verbose", "-x", "--exitfirst", "-s"}
    | {"--no-header", "-l", "--showlocals", "--full-trace", "--self-contained-html"}
)
"""pytest options that leave the selection of checks alone."""
WITH_VALUE = frozenset(("--junitxml", "--junit-xml", "--html", "--tb", "--color", "--durations"))
"""…and those that take a value (``--tb=short`` or ``--tb short``)."""


@dataclass
class Started:
    """What ``wa-doctor check`` started before pytest, for the plugin to take over."""

    options: dict[str, object]
    doctor: Doctor
    server: Any
    prefetcher: Prefetcher


_started: Started | None = None
"""Started and not yet taken over."""
_log_factories: list[RedactingLogRecordFactory] = []
"""Installed here; removed by :func:`finish`, taken over or not."""


def options_if_whole_run(args: Sequence[str]) -> dict[str, object] | None:
    """The ``--wa-…`` options as pytest will read them, when the arguments select every check;
    None when anything may narrow the run or is not understood here."""
    if any(os.environ.get(name, "").strip() for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")):
        return None  # options, or plugins (which may deselect checks), pytest adds itself
    by_option = {s.option: s for s in SETTINGS}
    options: dict[str, object] = {s.name: None for s in SETTINGS}
    rest = iter(args)
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name in by_option:
            setting = by_option[name]
            if setting.is_flag:
                if equals:
                    return None
                options[setting.name] = "true"
            else:
                options[setting.name] = value if equals else next(rest, None)
        elif name in WITH_VALUE:
            if not equals and next(rest, None) is None:
                return None
        elif arg == "-p":
            if not str(next(rest, "")).startswith("no:"):
                return None  # a plugin added may select, or deselect, checks
        elif arg not in FLAGS and not (arg.startswith("-r") and arg[2:].isalpha()):
            return None
    return None if options["simulate"] == "list" else options


def start(args: Sequence[str]) -> None:
    """Read the configuration and credentials and start fetching, when the run is whole."""
    global _started
    options = options_if_whole_run(args)
    if options is None:
        return
    from .config import load_config
    from .doctor import Doctor
    from .prefetch import whole_run
    from .redaction import RedactingLogRecordFactory

    server = None
    try:
        config = load_config(options, os.environ)
        if config.simulate:
            from . import simulator  # only when simulating: it brings a web server along

            server, config = simulator.start_for(str(config.simulate), config)
        doctor = Doctor.create(config)
    except Exception:  # pytest's own run reads the configuration again, and reports it
        if server is not None:
            server.stop()
        return
    log_factory = RedactingLogRecordFactory(doctor.redactor)  # before the first request
    log_factory.install()
    _log_factories.append(log_factory)
    _started = Started(options, doctor, server, whole_run(doctor))


def take(options: dict[str, object]) -> Started | None:
    """The doctor started for exactly these options, handed over once; None otherwise."""
    global _started
    started, _started = _started, None
    if started is not None and started.options != options:
        _stop(started)
        return None
    return started


def finish() -> None:
    """After pytest: stop what was started and never taken over (pytest ended before), and
    leave logging as it was."""
    global _started
    left, _started = _started, None
    if left is not None:
        _stop(left)
    while _log_factories:
        _log_factories.pop().uninstall()


def _stop(started: Started) -> None:
    started.prefetcher.stop()
    started.doctor.close()
    if started.server is not None:
        started.server.stop()
