"""What every pytest report object and file goes through before anyone reads it: redaction of
test reports (failure text, captured output, properties), of pytest-metadata's table and of
``--debug``'s log; and a guard for hooks that only present results."""

from __future__ import annotations

import atexit
import contextlib
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from . import __version__
from .doctor import Doctor
from .redaction import Redactor


def guarded(method: Callable[..., None]) -> Callable[..., None]:
    """For hooks that only present results: a bug there prints one redacted line instead of
    an INTERNALERROR, and the reports already written stay valid."""

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            method(self, *args, **kwargs)
        except Exception as exc:
            message = f"wa-doctor: {method.__name__} failed: {type(exc).__name__}: {exc}"
            sys.stderr.write(self.doctor.redactor(message) + "\n")

    return run


def scrub_report(report: Any, redactor: Redactor) -> None:
    """Redact everything a report carries before any reporter sees it."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        report.longrepr = (longrepr[0], longrepr[1], redactor(longrepr[2]))
    elif longrepr is not None:
        report.longrepr = redactor(str(longrepr))
    report.sections = [(title, redactor(content)) for title, content in report.sections]
    if hasattr(report, "user_properties"):  # test reports have them, collect reports do not
        report.user_properties = [(k, redactor(v)) for k, v in report.user_properties]


def scrub_metadata(config: pytest.Config, doctor: Doctor) -> None:
    """Redact pytest-metadata's environment table and add what a support ticket needs."""
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:
        return
    metadata = config.stash.get(metadata_key, None)
    if metadata is None:
        return

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return doctor.redactor(value) if isinstance(value, str) else value

    def label(key: str) -> str:
        return doctor.catalog.label(key, doctor.lang)

    # pytest-metadata's own keys, in the report's language (the rest are names: Python, pytest)
    words = {"Platform": "meta_platform", "Packages": "meta_packages", "Plugins": "meta_plugins"}
    cleaned = {label(words[k]) if k in words else k: v for k, v in clean(metadata).items()}
    metadata.clear()
    metadata.update(cleaned)
    metadata.update(
        {
            "wa-doctor": __version__,
            label("meta_api_version"): doctor.config.api_version,
            label("meta_language"): doctor.lang,
            label("meta_credentials"): ", ".join(c.label for c in doctor.credentials),
        }
    )


def scrub_debug_log_at_exit(config: pytest.Config, redactor: Redactor) -> None:
    """``--debug`` writes the command line (a ``--wa-access-token`` value too) to its log
    before any plugin runs; once pytest has closed the log, redact it in place."""
    name = getattr(config.option, "debug", None)
    if isinstance(name, str) and name:
        atexit.register(_redact_file, Path(config.invocation_params.dir, name), redactor)


def _redact_file(path: Path, redactor: Redactor) -> None:
    with contextlib.suppress(OSError):
        text = path.read_text("utf-8", errors="replace")
        cleaned = redactor(text)
        if cleaned != text:
            path.write_text(cleaned, "utf-8")
