"""Fetch the Graph resources the selected checks will read, ahead of them and concurrently.

pytest runs checks one at a time, so left alone each credential would pay one round trip per
resource, one after the other, and N credentials N times that. Yet the reads depend on each other
only through the token: ``debug_token`` first, then the WABA's combined read and the templates,
which need nothing from each other (the reads that fall back on separate requests when the combined
one fails come after it). So when the checks start, a :class:`Prefetcher` fetches in background
threads, for every selected credential, every resource that the selected checks read (their
``reads``, :mod:`~wa_doctor.registry`): each read as soon as what it builds on is in, in the
order the checks will want them (see :class:`Prefetcher`), while pytest runs the checks. The Graph
client keeps at most ``--wa-concurrency`` requests in flight. Answers and errors land in
:class:`~wa_doctor.graph.GraphSession`'s cache; a check that gets there first waits for the request
in flight instead of sending another. One credential costs two round trips, and nothing is fetched
that the selection (``-k``, ``--wa-credential``) does not need.

What each prerequisite builds on, and so its stage, is declared with it
(:func:`~wa_doctor.registry.prerequisite`).
"""

from __future__ import annotations

import contextlib
import itertools
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
    the checks are collected (in the order they are declared, until :meth:`Prefetcher.follow`
    is told the order they run in)."""
    from .registry import load_all

    return [
        (c, credential) for c in load_all().values() if c.reads for credential in doctor.credentials
    ]


def ranks(checks: Iterable[Check]) -> dict[Prerequisite, int]:
    """Each read's place in the run: that of the first of ``checks`` (in the order they run)
    building on it."""
    rank: dict[Prerequisite, int] = {}
    for position, check in enumerate(dict.fromkeys(checks)):
        for read in reached(check.reads):
            rank.setdefault(read, position)
    return rank


def read_ahead(doctor: Doctor) -> None:
    """Start the run-wide reads of a whole run in the background (the role and the catalogs of
    the database: :func:`~wa_doctor.registry.run_read`). Each is a connection of its own, to a
    hosted database a TLS handshake and several round trips: made while pytest starts, the
    checks find them done instead of waiting for them one after the other."""
    from .registry import RUN_READS, load_all

    load_all()
    for read in RUN_READS.values():
        read.ahead(doctor)


def whole_run(doctor: Doctor) -> Prefetcher:
    """Start what a whole run reads, before its checks are collected: every check's Graph
    reads, and the run-wide ones (:func:`read_ahead`)."""
    prefetcher = Prefetcher(doctor, everything(doctor), doctor.config.concurrency).start()
    read_ahead(doctor)
    return prefetcher


Task = tuple[int, int, int, Prerequisite | None]
"""(place in the run, credential, order, what to read): the queue's order; None stops a worker."""


class Prefetcher:
    """Background threads working through the plan: each read as soon as what it builds on is
    in, what the earliest check in the run reads first, earlier credentials first among equals.

    The checks run one after the other, each for every credential, so a check waits for the
    last credential's read. Fetched in that order, every token is in before the WABAs are read,
    and the templates, read by the campaign checks only, come after every WABA the phone checks
    wait for: a large run's last answers hold up the campaign checks, not the phone checks too.
    """

    def __init__(
        self, doctor: Doctor, selected: Iterable[tuple[Check, Credential]], workers: int
    ) -> None:
        self.doctor = doctor
        selected = list(selected)
        self.credentials = list({c.key: c for _, c in selected}.values())
        self.rank = ranks(check for check, _ in selected)
        self._order = [
            {read: n for n, read in enumerate(itertools.chain(*stages))}
            for stages in plan(selected)
        ]
        """Per credential, every read it needs, with a number telling it from the others."""
        self._waiting = [set(reads) for reads in self._order]
        self._done: list[set[Prerequisite]] = [set() for _ in self._order]
        self._queue: queue.PriorityQueue[Task] = queue.PriorityQueue()
        self._lock = threading.Lock()
        self._stopped = False
        self._threads = [
            threading.Thread(target=self._work, name=f"wa-prefetch-{n}", daemon=True)
            for n in range(workers)
        ]

    def start(self) -> Prefetcher:
        for index in range(len(self._order)):
            self._release(index)
        for thread in self._threads:
            thread.start()
        return self

    def _release(self, index: int) -> None:
        """Queue the reads of credential ``index`` whose requests to build on are all in."""
        needed, done = self._order[index], self._done[index]
        ready = [
            read
            for read in self._waiting[index]
            if all(p in done for p in read.closure if p in needed)
        ]
        for read in ready:
            self._waiting[index].discard(read)
            self._queue.put((self.rank[read], index, needed[read], read))

    def follow(self, checks: Iterable[Check]) -> None:
        """Rank the reads by the order the checks run in, now that pytest has collected them
        (a whole run starts fetching before; its first reads, the tokens, come first anyway)."""
        rank = ranks(checks)
        with self._lock:
            self.rank = {read: rank.get(read, len(rank)) for read in self.rank}
            queued: list[Task] = []
            with contextlib.suppress(queue.Empty):  # a worker may take the last one meanwhile
                while True:
                    queued.append(self._queue.get_nowait())
            for _, index, order, read in queued:
                self._queue.put((self.rank[read] if read else -1, index, order, read))

    def _work(self) -> None:
        while True:
            _, index, _, fetch = self._queue.get()
            if fetch is None or self._stopped:
                return
            with contextlib.suppress(Exception):  # the check reading it reports the error
                fetch(self.doctor, self.credentials[index])
            with self._lock:
                self._done[index].add(fetch)
                self._release(index)

    def stop(self) -> None:
        """Stop taking work and wait for the requests in flight (called at the end of a run)."""
        self._stopped = True
        for _ in self._threads:
            self._queue.put((-1, 0, 0, None))
        for thread in self._threads:
            if thread.is_alive():
                thread.join()
