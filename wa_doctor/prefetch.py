"""Fetch the Graph resources the selected checks will read, ahead of them and concurrently.

pytest runs checks one at a time, so left alone each credential would pay one round trip per
resource, one after the other, and N credentials N times that. Yet the reads depend on each other
only through the token: ``debug_token`` first, then the WABA's combined read and the templates,
which need nothing from each other (the reads that fall back on separate requests when the combined
one fails come after it). So when the checks start, a :class:`Prefetcher` fetches in background
threads, for every selected credential, every resource that the selected checks read (their
``reads``, :mod:`~wa_doctor.registry`): a credential's next stage as soon as its previous one is in,
earlier credentials first (the order the checks run in), while pytest runs the checks. The Graph
client keeps at most ``--wa-concurrency`` requests in flight. Answers and errors land in
:class:`~wa_doctor.graph.GraphSession`'s cache; a check that gets there first waits for the request
in flight instead of sending another. One credential costs two round trips, and nothing is fetched
that the selection (``-k``, ``--wa-credential``) does not need.

A fetch function is registered with :func:`resource`, naming the fetches it builds on.
"""

from __future__ import annotations

import contextlib
import functools
import queue
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .credentials import Credential

if TYPE_CHECKING:
    from .doctor import Doctor
    from .registry import Check

Fetch = Callable[["Doctor", Credential], Any]

AFTER: dict[Fetch, tuple[Fetch, ...]] = {}
"""Each registered fetch and the fetches whose answers it needs first."""
REQUESTS: dict[Fetch, str] = {}
"""Each registered fetch → the request it sends, in words (``wa-doctor checks``)."""


def resource(*after: Fetch, request: str) -> Callable[[Fetch], Fetch]:
    """Register a fetch function that ``after`` must have run before; ``request`` says what it
    sends, for the listing of checks.

    What it returns is kept for the run: a dozen checks read each resource of a credential,
    and parsing the same answer for each of them was a good part of a large run's CPU.
    Errors are not kept (the Graph session keeps the answer they came from)."""

    def register(fetch: Fetch) -> Fetch:
        name = f"{fetch.__module__}.{fetch.__qualname__}"

        @functools.wraps(fetch)
        def kept(doctor: Doctor, credential: Credential) -> Any:
            return doctor.once(f"{name} {credential.key}", lambda: fetch(doctor, credential))

        AFTER[kept] = after
        REQUESTS[kept] = request
        return kept

    return register


def stage(fetch: Fetch) -> int:
    """1 for a fetch that needs nothing, else one more than the deepest fetch it builds on."""
    return 1 + max((stage(f) for f in AFTER.get(fetch, ())), default=0)


def plan(selected: Iterable[tuple[Check, Credential]]) -> list[list[list[Fetch]]]:
    """For each selected credential (in order of first appearance), the fetches its selected
    checks need, stage by stage: ``plan[credential][stage] = [fetch, …]``.

    Worked out once per check and once per set of fetches, not per credential: a thousand
    credentials share a handful of plans, and the first request waits for this one."""
    needs: dict[str, frozenset[Fetch]] = {}
    staged: dict[frozenset[Fetch], list[list[Fetch]]] = {}

    def closure(fetches: Iterable[Fetch]) -> set[Fetch]:
        found: set[Fetch] = set()
        for fetch in fetches:
            found |= {fetch, *closure(AFTER.get(fetch, ()))}
        return found

    wanted: dict[str, set[Fetch]] = {}
    for check, credential in selected:
        if check.name not in needs:
            needs[check.name] = frozenset(closure(check.reads))
        wanted.setdefault(credential.key, set()).update(needs[check.name])
    for fetches in map(frozenset, wanted.values()):
        if fetches not in staged:
            levels = {fetch: stage(fetch) for fetch in fetches}
            staged[fetches] = [
                sorted((f for f in fetches if levels[f] == level), key=_name)
                for level in range(1, max(levels.values(), default=0) + 1)
            ]
    return [staged[frozenset(fetches)] for fetches in wanted.values()]


class Prefetcher:
    """Background threads working through the plan, earliest credential and stage first."""

    def __init__(
        self, doctor: Doctor, selected: Iterable[tuple[Check, Credential]], workers: int
    ) -> None:
        self.doctor = doctor
        selected = list(selected)
        self.credentials = list({c.key: c for _, c in selected}.values())
        self.stages = plan(selected)
        self._queue: queue.PriorityQueue[tuple[int, int, int, Fetch | None]] = queue.PriorityQueue()
        self._left = [0] * len(self.stages)
        self._lock = threading.Lock()
        self._stopped = False
        self._threads = [
            threading.Thread(target=self._work, name=f"wa-prefetch-{n}", daemon=True)
            for n in range(workers)
        ]

    def start(self) -> Prefetcher:
        for index in range(len(self.stages)):
            self._enqueue(index, 0)
        for thread in self._threads:
            thread.start()
        return self

    def _enqueue(self, index: int, level: int) -> None:
        stages = self.stages[index]
        if level >= len(stages):
            return
        self._left[index] = len(stages[level])
        for order, fetch in enumerate(stages[level]):
            self._queue.put((index, level, order, fetch))

    def _work(self) -> None:
        while True:
            index, level, _, fetch = self._queue.get()
            if fetch is None or self._stopped:
                return
            with contextlib.suppress(Exception):  # the check reading it reports the error
                fetch(self.doctor, self.credentials[index])
            with self._lock:
                self._left[index] -= 1
                if self._left[index] == 0:
                    self._enqueue(index, level + 1)

    def stop(self) -> None:
        """Stop taking work and wait for the requests in flight (called at the end of a run)."""
        self._stopped = True
        for _ in self._threads:
            self._queue.put((-1, 0, 0, None))
        for thread in self._threads:
            if thread.is_alive():
                thread.join()


def _name(fetch: Fetch) -> str:
    return getattr(fetch, "__name__", repr(fetch))
