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

What each prerequisite builds on, and so its stage, is declared with it
(:func:`~wa_doctor.registry.prerequisite`).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .credentials import Credential
from .registry import Check, Prerequisite, reached

if TYPE_CHECKING:
    from .doctor import Doctor


def stage(read: Prerequisite) -> int:
    """How many requests must be answered, one after the other, before ``read`` has its answer
    (0 for a value derived from configuration)."""
    return (1 if read.request else 0) + max((stage(p) for p in read.after), default=0)


def plan(selected: Iterable[tuple[Check, Credential]]) -> list[list[list[Prerequisite]]]:
    """For each selected credential (in order of first appearance), the requests its selected
    checks need, stage by stage: ``plan[credential][stage] = [prerequisite, …]`` (what is
    derived from them is worked out by whatever reads it).

    Worked out once per check and once per set of fetches, not per credential: a thousand
    credentials share a handful of plans, and the first request waits for this one."""
    needs: dict[str, frozenset[Prerequisite]] = {}
    staged: dict[frozenset[Prerequisite], list[list[Prerequisite]]] = {}
    wanted: dict[str, set[Prerequisite]] = {}
    for check, credential in selected:
        if check.name not in needs:
            needs[check.name] = frozenset(p for p in reached(check.reads) if p.request)
        wanted.setdefault(credential.key, set()).update(needs[check.name])
    for reads in map(frozenset, wanted.values()):
        if reads not in staged:
            levels = {read: stage(read) for read in reads}
            staged[reads] = [
                sorted((r for r in reads if levels[r] == level), key=lambda r: r.name)
                for level in range(1, max(levels.values(), default=0) + 1)
            ]
    return [staged[frozenset(reads)] for reads in wanted.values()]


def everything(doctor: Doctor) -> list[tuple[Check, Credential]]:
    """Every (check, credential) pair of a whole run that reads Graph: what to fetch before
    the checks are collected."""
    from .registry import load_all

    return [
        (c, credential) for c in load_all().values() if c.reads for credential in doctor.credentials
    ]


def read_ahead(doctor: Doctor) -> None:
    """Start the run-wide reads of a whole run in the background (the role and the catalogs of
    the database: :func:`~wa_doctor.registry.run_read`). Each is a connection of its own, to a
    hosted database a TLS handshake and several round trips: made while pytest starts, the
    checks find them done instead of waiting for them one after the other."""
    from .registry import RUN_READS, load_all

    load_all()
    for read in RUN_READS.values():
        read.ahead(doctor)


Task = tuple[int, int, int, Prerequisite | None]
"""(credential, stage, order, what to read): the queue's order; None stops a worker."""


class Prefetcher:
    """Background threads working through the plan, earliest credential and stage first."""

    def __init__(
        self, doctor: Doctor, selected: Iterable[tuple[Check, Credential]], workers: int
    ) -> None:
        self.doctor = doctor
        selected = list(selected)
        self.credentials = list({c.key: c for _, c in selected}.values())
        self.stages = plan(selected)
        self._queue: queue.PriorityQueue[tuple[int, int, int, Prerequisite | None]] = (
            queue.PriorityQueue()
        )
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
