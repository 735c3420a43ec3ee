"""TOML data files parsed once per content, and the parse kept for the next run.

``tomllib`` is pure Python: the catalog's 200 KB took 30–60 ms to parse on every run, the
largest step of the doctor's own start that is neither an import nor the database. The parse
is kept as JSON (read back by the C decoder in a few milliseconds) in the doctor's folder of
the user's cache (:mod:`.user_cache`), named by a digest of the files' names and bytes and of
this module's format: an edited file, or another release's way of keeping it, is a new name,
so a stale parse is never read. A kept parse that cannot be read is parsed again; a folder
that cannot be written costs only the parse. Nothing is written into the installed package
(which an uninstall would leave behind, and other users could not read), and the kept parse
is JSON: read, never run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

FORMAT = b"wa-doctor toml_cache 1\0"
"""Part of every digest: a release that keeps parses otherwise changes it."""
TAG = "\x00toml"
"""The key of a JSON object standing for a TOML date or time (no table of ours has it)."""
_TIMES = {"datetime": datetime, "date": date, "time": time}
"""TOML's values that JSON lacks, by the name they are tagged with (``datetime`` first: it
is a ``date`` too)."""


def parse_all(files: Sequence[Path], folder: Path | None, name: str) -> list[dict[str, Any]]:
    """Each of ``files`` parsed, from ``folder/<name>-<digest>.json`` when an earlier run kept
    it, else by ``tomllib`` (and kept there; ``folder`` None: nowhere)."""
    texts = [file.read_bytes() for file in files]
    digest = hashlib.blake2b(FORMAT, digest_size=16)
    for file, text in zip(files, texts, strict=True):
        digest.update(f"{file.name}\0{len(text)}\0".encode("utf-8", "surrogatepass") + text)
    kept = None if folder is None else folder / f"{name}-{digest.hexdigest()}.json"
    parsed = None if kept is None else _read(kept, len(files))
    if parsed is None:
        import tomllib  # only when there is no kept parse: it is a module to compile too

        parsed = [tomllib.loads(text.decode("utf-8")) for text in texts]
        if kept is not None:
            _keep(kept, parsed, name)
    return parsed


def _read(path: Path, count: int) -> list[dict[str, Any]] | None:
    try:
        parsed = json.loads(path.read_bytes(), object_hook=_decode)
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return None
    ok = isinstance(parsed, list) and len(parsed) == count
    return parsed if ok and all(isinstance(p, dict) for p in parsed) else None


def _keep(path: Path, parsed: list[dict[str, Any]], name: str) -> None:
    """Write the parse, replacing older parses of the same files (a folder that cannot be
    written is no error: the next run parses again)."""
    from .files import write_atomically

    with contextlib.suppress(OSError):
        write_atomically(path, json.dumps(parsed, ensure_ascii=False, default=_encode))
        for older in path.parent.glob(f"{name}-*.json"):
            if older != path:
                older.unlink(missing_ok=True)


def _encode(value: Any) -> dict[str, str]:
    for kind, cls in _TIMES.items():
        if isinstance(value, cls):
            return {TAG: kind, "value": value.isoformat()}
    raise TypeError(f"not a TOML value: {type(value).__name__}")


def _decode(obj: dict[str, Any]) -> Any:
    kind = obj.get(TAG)
    return _TIMES[kind].fromisoformat(obj["value"]) if kind in _TIMES else obj
