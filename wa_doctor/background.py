"""A value computed in a background thread from the moment it is asked for.

For what waits on something other than Python (OpenSSL parsing certificates, a database's
answers): started early, it is ready when needed instead of holding up the run, on another core
or during another wait.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

_T = TypeVar("_T")


class NotFinished(TimeoutError):
    """The value was not computed within the deadline asked (the thread goes on, abandoned)."""


class Background(Generic[_T]):
    """``compute()`` running in a daemon thread: a thread that never finishes (a hung server)
    cannot keep the run from ending."""

    def __init__(self, compute: Callable[[], _T], name: str) -> None:
        self._compute = compute
        self._outcome: tuple[bool, _T | BaseException] | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._outcome = (True, self._compute())
        except BaseException as exc:  # handed to the thread that asks, by result()
            self._outcome = (False, exc)

    def result(self, deadline: float | None = None) -> _T:
        """The value, once computed, or the exception computing it raised; :class:`NotFinished`
        after ``deadline`` seconds (None: ``compute`` keeps deadlines of its own)."""
        self._thread.join(deadline)
        if self._outcome is None:
            raise NotFinished(f"{self._thread.name} did not finish within {deadline:g} s")
        done, value = self._outcome
        if not done:
            raise value  # type: ignore[misc]
        return value  # type: ignore[return-value]
