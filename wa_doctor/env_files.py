"""The ``.env.local`` and ``.env`` files the guides put the token in, read with python-dotenv:
values, the file each came from, and what could not be read (named by file and line)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from dotenv import dotenv_values

ENV_FILES = (".env.local", ".env")
"""Read in this order; a key found in an earlier file wins. Same names as the guides use."""


def read_env_files(directory: Path) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Read ``.env.local`` then ``.env``: values, the file each came from, and problems found.

    python-dotenv logs (rather than raises) on lines it cannot parse; those warnings are captured
    and returned as problems so the report can name the file and line.
    """
    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    problems: list[str] = []
    for name in ENV_FILES:
        path = directory / name
        if not path.is_file():
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"{name}: not UTF-8 text (byte {exc.start})")
            continue
        except OSError as exc:
            problems.append(f"{name}: cannot be read ({exc.strerror})")
            continue
        parsed, warnings = _parse_dotenv(text)
        problems.extend(f"{name}: {warning}" for warning in warnings)
        for key, value in parsed.items():
            if key not in values and value is not None:
                values[key] = value
                origins[key] = name
    return values, origins, problems


def _parse_dotenv(text: str) -> tuple[dict[str, str | None], list[str]]:
    logger = logging.getLogger("dotenv.main")
    captured: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(record.getMessage())

    handler = _Collect(logging.WARNING)
    logger.addHandler(handler)
    previous_propagate = logger.propagate
    logger.propagate = False
    try:
        parsed = dotenv_values(stream=io.StringIO(text))
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous_propagate
    return dict(parsed), captured


def assignment_line(path: Path, name: str) -> int | None:
    """The line (from 1) that assigns ``name`` in an env file, for a finding to point at it;
    None when the file cannot be read or does not assign it on a line of its own."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.strip().removeprefix("export").strip()
        if words.startswith(name) and words[len(name) :].lstrip().startswith("="):
            return number
    return None
