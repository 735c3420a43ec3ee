"""The doctor's folder in the user's cache: ``$XDG_CACHE_HOME/wa-doctor``, else
``~/.cache/wa-doctor``. What a run keeps for the next (pytest's cache of ``wa-doctor check``
for ``--lf``, the catalog's parse) goes there, never into the folder the doctor runs in nor
into the installed package."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache() -> Path | None:
    """The folder, or None when there is no home folder to put it in (a container's user)."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wa-doctor"
    except (RuntimeError, KeyError):
        return None
