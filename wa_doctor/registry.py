"""Every check and everything a check builds on, each declared once, where it is written.

Django's system checks are one function and one ``register()``; this is the same idea with the
facts the doctor derives from a declaration.

A **check** is a plain function declared with :func:`check`: the findings it may raise, the
prerequisites it reads, what it asks Meta itself. From that come the prefetch plan, ``wa-doctor
checks``, the catalog cross-check and whether it runs once per credential or once per run (its
signature: a ``credential`` parameter or not).

A **prerequisite** is a value of one credential that checks build on: a Graph resource
(``request`` says what it sends) or what is derived from one (the token's info, the WABA id).
It is declared with :func:`prerequisite`, and what it builds on are its parameters, named after
other prerequisites: the registry passes their values, so the dependencies that decide the
prefetch plan are the ones the function receives. A check, or a prerequisite, that reads one it
did not declare is stopped at the call (:class:`UndeclaredRead`): what is fetched ahead and
what is read cannot drift apart without every run saying so.
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import Blocked, DoctorError, GraphError, UndeclaredRead

if TYPE_CHECKING:
    from .credentials import Credential
    from .doctor import Doctor
    from .findings import Finding

CheckFunction = Callable[..., "Sequence[Finding]"]
_T = TypeVar("_T")

CONTEXT = ("doctor", "credential")
"""The parameters every check and prerequisite may take first; the rest name prerequisites."""


_ALLOWED: contextvars.ContextVar[frozenset[Prerequisite] | None] = contextvars.ContextVar(
    "wa_doctor_allowed_reads", default=None
)
"""What the check or prerequisite running in this context declared (None: nothing running)."""


@dataclass(frozen=True, eq=False)
class Prerequisite:
    """A declared prerequisite: ``prerequisite(doctor, credential)`` is its value, kept for the
    run once read (errors are not kept: the Graph session keeps the answer they came from)."""

    name: str
    function: Callable[..., Any]
    after: tuple[Prerequisite, ...]
    """The prerequisites it builds on (its parameters), whose values it is given."""
    request: str
    """The request it sends, in words (``wa-doctor checks``); empty for a derived value."""
    optional: bool
    """Its value is None, never an error, when it cannot be read: for reads that only save
    requests (the WABA's combined read), whose parts are then asked on their own."""
    closure: frozenset[Prerequisite] = field(init=False)
    """Everything it builds on, directly or not."""
    _prefix: str = field(init=False, repr=False)
    """Its values' keys but the credential's."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "closure", reached(self.after))
        object.__setattr__(self, "_prefix", f"{self.function.__module__}.{self.name} ")

    def __call__(self, doctor: Doctor, credential: Credential) -> Any:
        allowed = _ALLOWED.get()
        if allowed is not None and self not in allowed:
            raise UndeclaredRead(f"{self.name} is read without being declared")
        return _declared_only(self.closure, self._read, doctor, credential)

    def _read(self, doctor: Doctor, credential: Credential) -> Any:
        try:
            return doctor.once(self._key(credential), lambda: self._compute(doctor, credential))
        except DoctorError:
            if self.optional:
                return None
            raise

    def cached(self, doctor: Doctor, credential: Credential) -> Any:
        """Its value when this run has read it already, else None: never a request (what the
        report keeps of a run, after the checks)."""
        return doctor.peek(self._key(credential))

    def _key(self, credential: Credential) -> str:
        return self._prefix + credential.key

    def _compute(self, doctor: Doctor, credential: Credential) -> Any:
        values = [read_or_blocked(p, doctor, credential) for p in self.after]
        return self.function(doctor, credential, *values)


def reached(reads: Iterable[Prerequisite]) -> frozenset[Prerequisite]:
    """``reads`` and everything they build on."""
    found: set[Prerequisite] = set()
    for read in reads:
        found |= {read, *read.closure}
    return frozenset(found)


def read_or_blocked(
    read: Callable[[Doctor, Credential], _T], doctor: Doctor, credential: Credential
) -> _T:
    """What ``read`` reads; whatever needs it is blocked by the Graph error that stopped it
    (a check that reports that error itself calls the prerequisite directly)."""
    try:
        return read(doctor, credential)
    except GraphError as error:
        raise Blocked(error.finding_id) from None


def _declared_only(allowed: frozenset[Prerequisite], call: Callable[..., _T], *args: Any) -> _T:
    """``call(*args)`` where only ``allowed`` may be read. A plain ``try``, not a context
    manager made of a generator: it wraps every check and every read, which a thousand
    credentials make some seventy thousand times."""
    token = _ALLOWED.set(allowed)
    try:
        return call(*args)
    finally:
        _ALLOWED.reset(token)


PREREQUISITES: dict[str, Prerequisite] = {}
"""Every declared prerequisite by name: the names a parameter may take."""


def prerequisite(
    *, request: str = "", optional: bool = False
) -> Callable[[Callable[..., Any]], Prerequisite]:
    """Declare a prerequisite: a function of ``doctor, credential`` and then of the values of
    the prerequisites it builds on, each parameter named after one."""

    def declare(function: Callable[..., Any]) -> Prerequisite:
        names = list(inspect.signature(function).parameters)
        if names[:2] != list(CONTEXT):
            raise TypeError(f"{function.__name__} must take (doctor, credential, …)")
        unknown = [n for n in names[2:] if n not in PREREQUISITES]
        if unknown:
            raise TypeError(f"{function.__name__}: no prerequisite is named {unknown}")
        declared = Prerequisite(
            name=function.__name__,
            function=function,
            after=tuple(PREREQUISITES[n] for n in names[2:]),
            request=request,
            optional=optional,
        )
        return _register(PREREQUISITES, declared.name, declared)

    return declare


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
    reads: tuple[Prerequisite, ...]
    """The prerequisites it reads, fetched ahead of it for every credential of the run."""
    asks: str
    """What it requests itself, not fetched ahead (once per run, or only when an option allows
    it), in words."""
    per_credential: bool
    """Run once for every credential (its signature takes one) rather than once per run."""
    allowed: frozenset[Prerequisite] = field(init=False, repr=False, compare=False)
    """What it may read: its reads and what they build on (worked out once, not at each of
    its calls)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed", reached(self.reads))

    def __call__(self, doctor: Any, *args: Any) -> Sequence[Finding]:
        return _declared_only(self.allowed, self.function, doctor, *args)

    @property
    def requests(self) -> list[str]:
        """Every request it may send, in words, what it builds on first."""
        fetched = sorted((p for p in self.allowed if p.request), key=_depth)
        return [p.request for p in fetched] + ([self.asks] if self.asks else [])


def _depth(read: Prerequisite) -> int:
    return len(read.closure)


CHECKS: dict[str, Check] = {}
"""Every declared check by name, in the order their modules declared them."""


def check(
    *, raises: Sequence[str], reads: Sequence[Prerequisite] = (), asks: str = ""
) -> Callable[[CheckFunction], Check]:
    """Declare a check: the findings it may ``raise``, the prerequisites it ``reads`` (fetched
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
            per_credential=parameters[:2] == list(CONTEXT),
        )
        return _register(CHECKS, declared.name, declared)

    return declare


def _register(registry: dict[str, _T], name: str, declared: _T) -> _T:
    if registry.setdefault(name, declared) is not declared:
        raise ValueError(f"two declarations are named {name}")
    return declared


@dataclass(frozen=True, eq=False)
class RunRead:
    """A declared read of the whole run that waits on a server (the database's catalogs):
    ``read(doctor)`` is its value, read once; a whole run starts it ahead (:meth:`ahead`)."""

    name: str
    function: Callable[[Doctor], Any]

    def __call__(self, doctor: Doctor) -> Any:
        return doctor.once(self._key, lambda: self.function(doctor))

    def ahead(self, doctor: Doctor) -> None:
        doctor.ahead(self._key, lambda: self.function(doctor))

    @property
    def _key(self) -> str:
        return f"{self.function.__module__}.{self.name}"


RUN_READS: dict[str, RunRead] = {}
"""Every declared run-wide read by name."""


def run_read(function: Callable[[Doctor], Any]) -> RunRead:
    """Declare a run-wide read: a function of ``doctor`` that checks share, which may start
    before they run (its guards, raising :class:`Blocked`, are part of it)."""
    return _register(RUN_READS, function.__name__, RunRead(function.__name__, function))


def load_all() -> dict[str, Check]:
    """Every check, its module imported first (the diagnostics import them too; a run that
    plans its fetches before collecting them needs them first)."""
    import importlib
    import pkgutil

    from . import checks

    for module in pkgutil.iter_modules(checks.__path__):
        importlib.import_module(f"{checks.__name__}.{module.name}")
    return CHECKS
