"""The checks: plain functions ``check(doctor, *args) -> list[Finding]``, grouped by area.

An empty list means healthy. A check raises :class:`~wa_doctor.errors.Blocked` when another
finding is the root cause, and lets other :class:`~wa_doctor.errors.DoctorError` propagate:
the runner turns each into its finding.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ..errors import Blocked, GraphError

if TYPE_CHECKING:
    from ..credentials import Credential
    from ..doctor import Doctor

_T = TypeVar("_T")


def read_or_blocked(
    fetch: Callable[[Doctor, Credential], _T], doctor: Doctor, credential: Credential
) -> _T:
    """What ``fetch`` reads; a check that needs it is blocked by whatever stopped the read."""
    try:
        return fetch(doctor, credential)
    except GraphError as error:
        raise Blocked(error.finding_id) from None


def load_all() -> None:
    """Import every check module, so that every check's reads are registered (the diagnostics
    import them too; a run that starts fetching before collecting them needs them first)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
