"""The checks: plain functions ``check(doctor[, credential]) -> list[Finding]``, grouped by area,
each declared with :func:`wa_doctor.registry.check` (what it may raise, what it reads).

An empty list means healthy. A check raises :class:`~wa_doctor.errors.Blocked` when another
finding is the root cause, and lets other :class:`~wa_doctor.errors.DoctorError` propagate:
the runner turns each into its finding.
"""

from __future__ import annotations

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
