"""The certificates Graph's answers are verified with, loaded while the run does other things.

httpx's default trust (certifi's bundle, or the files ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` name)
is some 150 certificates that OpenSSL parses for 30–50 ms, without holding Python's lock. Loaded
in a background thread started before the database driver is imported and the credentials are
read, they are ready when the first request leaves instead of delaying it, on a second core. It
is httpx's own ``create_ssl_context``, so what is trusted is what httpx would trust by itself.

A value those variables hold that cannot be used (a missing file, one holding no certificate) is
a usage error naming the variable, never a traceback.
"""

from __future__ import annotations

import os
import ssl

import httpx

from .background import Background, NotFinished
from .errors import ConfigError

TLS_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR")
"""The variables httpx reads the certificates to trust from, the first one set."""
LOAD_DEADLINE = 10.0
"""Seconds the certificates may take to load: a file is read in milliseconds; a variable naming
a pipe or a hung network share would otherwise wait for ever."""


class TlsContext:
    """The TLS context for Graph's requests, being made from the moment this is created."""

    def __init__(self) -> None:
        self._loading = Background(httpx.create_ssl_context, "wa-doctor-tls")

    def get(self) -> ssl.SSLContext:
        """The context, once loaded; :class:`ConfigError` when the certificates cannot be."""
        try:
            return self._loading.result(LOAD_DEADLINE)
        except NotFinished:  # not any TimeoutError: one the loading met is told as it is
            raise ConfigError(tls_problem(None)) from None
        except Exception as exc:
            raise ConfigError(tls_problem(exc)) from None


def tls_problem(exc: Exception | None) -> str:
    """What to tell about certificates that cannot be loaded: the variable httpx read, and why, in
    OpenSSL's or the system's words (a path is no secret, and the message is redacted)."""
    default = "certifi's bundle"
    used = next((f"{n}={os.environ[n]}" for n in TLS_VARIABLES if os.environ.get(n)), default)
    if exc is None:
        why = f"they did not load within {LOAD_DEADLINE:g} s"
    else:
        why = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
    return f"the certificates to trust cannot be loaded ({used}): {why}"
