"""TOML data files parsed once per content, the way Python keeps bytecode beside its source.

``tomllib`` is pure Python: the catalog's 200 KB took 30–60 ms to parse on every run, the
largest step of the doctor's own start that is neither an import nor the database. The parse
is kept as JSON (read back by the C decoder in a few milliseconds) in ``__pycache__`` beside the
files, named by a digest of their names and bytes: an edited file is a new name, so a stale
parse is never read. Like bytecode, it is not written when Python is told not to
(``PYTHONDONTWRITEBYTECODE``) or where the folder cannot be written, and a kept parse that
cannot be read is parsed again. It is trusted as the bytecode beside it is (whoever may write
there may change the code itself), and it is JSON: read, never run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

CACHE_FOLDER = "__pycache__"
TAG = "\x00toml"
"""The key of a JSON object standing for a TOML date or time (no table of ours has it)."""
_TIMES = {"datetime": datetime, "date": date, "time": time}
"""TOML's values that JSON lacks, by the name they are tagged with (``datetime`` first: it
is a ``date`` too)."""


def parse_all(files: Sequence[Path], folder: Path, name: str) -> list[dict[str, Any]]:
    """Each of ``files`` parsed, from ``folder/__pycache__/<name>.<digest>.json`` when an earlier
    run kept it, else by ``tomllib`` (and kept)."""
    texts = [file.read_bytes() for file in files]
    digest = hashlib.blake2b(digest_size=16)
    for file, text in zip(files, texts, strict=True):
        digest.update(f"{file.name}\0{len(text)}\0".encode("utf-8", "surrogatepass") + text)
    kept = folder / CACHE_FOLDER / f"{name}.{digest.hexdigest()}.json"
    parsed = _read(kept, len(files))
    if parsed is None:
        import tomllib  # only when there is no kept parse: it is a module to compile too

        parsed = [tomllib.loads(text.decode("utf-8")) for text in texts]
        if not sys.dont_write_bytecode:
            _keep(kept, parsed)
    return parsed


def _read(path: Path, count: int) -> list[dict[str, Any]] | None:
    try:
        parsed = json.loads(path.read_bytes(), object_hook=_decode)
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return None
    ok = isinstance(parsed, list) and len(parsed) == count
    return parsed if ok and all(isinstance(p, dict) for p in parsed) else None


def _keep(path: Path, parsed: list[dict[str, Any]]) -> None:
    """Write the parse beside the files, replacing older parses of them (a cache that cannot
    be written is no error: the next run parses again)."""
    from .files import write_atomically

    with contextlib.suppress(OSError):
        write_atomically(path, json.dumps(parsed, ensure_ascii=False, default=_encode))
        for older in path.parent.glob(f"{path.name.split('.')[0]}.*.json"):
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
