"""Every check, declared once, where it is written: what it may raise, what it reads, what it
asks Meta itself.

Django's system checks are one function and one ``register()``; this is the same idea with the
facts the doctor derives from a check. A check is a plain function decorated with
:func:`check`; from that one declaration come the prefetch plan (``reads``), ``wa-doctor
checks`` (``raises``, ``reads``, ``asks``), the catalog cross-check and whether the check runs
once per credential or once per run (its signature: a ``credential`` parameter or not). Nothing
else names a check's findings or reads, so nothing has to be kept in sync with it: the project's
tests hold every raised finding to a catalog entry, a scenario and a README row.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .findings import Finding
    from .prefetch import Fetch

CheckFunction = Callable[..., "Sequence[Finding]"]


@dataclass(frozen=True, slots=True)
class Check:
    """A declared check: call it like its function, ``check(doctor[, credential])``."""

    name: str
    """Its stable id (the function's name): the key of its title in the catalog, its test's
    name in ``diagnostics/`` after ``test_`` and its id in every report."""
    area: str
    """The module it is written in (``phone``, ``token``…): its catalog file is ``<area>.toml``
    beside it."""
    function: CheckFunction
    raises: tuple[str, ...]
    """Every finding id it may return (a check reading the Graph API may also return any
    ``graph.*`` finding, which the runner derives from the answer)."""
    reads: tuple[Fetch, ...]
    """The Graph resources it reads, fetched ahead of it for every credential it runs for."""
    asks: str
    """What it requests itself, not fetched ahead (once per run, or only when an option allows
    it), in words."""
    per_credential: bool
    """Run once for every credential (its signature takes one) rather than once per run."""

    def __call__(self, doctor: Any, *args: Any) -> Sequence[Finding]:
        return self.function(doctor, *args)


CHECKS: dict[str, Check] = {}
"""Every declared check by name, in the order their modules declared them."""


def check(
    *, raises: Sequence[str], reads: Sequence[Fetch] = (), asks: str = ""
) -> Callable[[CheckFunction], Check]:
    """Declare a check: the findings it may ``raise``, the Graph resources it ``reads`` (fetched
    ahead of it) and in ``asks`` what it requests itself."""

    def declare(function: CheckFunction) -> Check:
        parameters = list(inspect.signature(function).parameters)
        declared = Check(
            name=function.__name__,
            area=function.__module__.rpartition(".")[2],
            function=function,
            raises=tuple(raises),
            reads=tuple(reads),
            asks=asks,
            per_credential=parameters[1:2] == ["credential"],
        )
        if CHECKS.setdefault(declared.name, declared) is not declared:
            raise ValueError(f"two checks are named {declared.name}")
        return declared

    return declare


def load_all() -> dict[str, Check]:
    """Every check, its module imported first (the diagnostics import them too; a run that
    plans its fetches before collecting them needs them first)."""
    import importlib
    import pkgutil

    from . import checks

    for module in pkgutil.iter_modules(checks.__path__):
        importlib.import_module(f"{checks.__name__}.{module.name}")
    return CHECKS
