"""A werkzeug server on 127.0.0.1 in a background thread, that stops at once when asked."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from typing import Any

from werkzeug.serving import make_server

POLL_INTERVAL = 0.01
"""How often the serving loop looks for a shutdown request. socketserver's default (0.5 s)
made every stop wait up to half a second: a quarter second on average per simulated run."""


class Served:
    """One threaded werkzeug server; ``port`` is the one it got."""

    def __init__(
        self,
        app: Callable[..., Any],
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._server = make_server(host, port, app, threaded=True, ssl_context=ssl_context)
        self.port: int = self._server.port
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
