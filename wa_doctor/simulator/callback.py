"""The CRM's webhook endpoint, as far as Meta's verification handshake sees it.

Served over HTTPS on 127.0.0.1 with the certificate in ``tls/``, issued by a CA made for the
simulator alone (``tls/ca.pem``; the doctor trusts it only while simulating). Made once with::

    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 \\
        -keyout ca.key -out ca.pem -subj "/CN=wa-doctor simulator CA" \\
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout callback.key \\
        -out callback.csr -subj "/CN=127.0.0.1"
    openssl x509 -req -in callback.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 36500 \\
        -out callback.pem -extfile ext.cnf   # SAN IP:127.0.0.1, serverAuth, CA:FALSE

(the CA's key was thrown away). The "untrusted" endpoint presents the same certificate to a
client not told about the CA: what a self-signed certificate or a missing chain looks like.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
from pathlib import Path

from werkzeug import Request, Response

from .serving import Served
from .world import Callback, World

TLS = Path(__file__).with_name("tls")
CA_FILE = TLS / "ca.pem"
"""The CA the doctor trusts while simulating (never otherwise)."""
PATH = "/api/whatsapp/webhook"
SLOW_SECONDS = 3.5
"""How long the slow endpoint takes: beyond the doctor's limit in its scenario (2 s)."""


class CallbackEndpoint:
    """Serve the world's webhook endpoint and point the app's callback URL at it."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.requests = 0
        """Requests the endpoint received (the handshake is opt-in: tests count them)."""
        self._served: Served | None = None

    @property
    def trusted(self) -> bool:
        return self.world.callback is not Callback.UNTRUSTED

    def start(self) -> None:
        behaviour = self.world.callback
        if behaviour is Callback.DOWN:
            url = f"https://127.0.0.1:{closed_port()}{PATH}"
        else:
            tls = None
            if behaviour is not Callback.PLAIN_HTTP:
                tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                tls.load_cert_chain(TLS / "callback.pem", TLS / "callback.key")
            self._served = Served(Request.application(self.answer), ssl_context=tls)
            scheme = "http" if tls is None else "https"
            url = f"{scheme}://127.0.0.1:{self._served.port}{PATH}"
        for subscription in self.world.app_subscriptions:
            subscription["callback_url"] = url

    def stop(self) -> None:
        if self._served is not None:
            self._served.stop()
        self._served = None

    def answer(self, request: Request) -> Response:
        """What a CRM endpoint answers to ``GET ?hub.mode=subscribe&hub.challenge=…``."""
        self.requests += 1
        args = request.args
        if args.get("hub.mode") != "subscribe" or args.get("hub.verify_token") != (
            self.world.verify_token
        ):
            return Response("Forbidden", status=403)
        challenge = args.get("hub.challenge", "")
        if self.world.callback is Callback.SLOW:
            time.sleep(SLOW_SECONDS)
        if self.world.callback is Callback.ECHO_QUERY:
            return Response(request.query_string, content_type="text/plain")
        if self.world.callback is Callback.NO_ECHO:  # a framework's JSON reply
            return Response(json.dumps({"challenge": challenge}), content_type="application/json")
        return Response(challenge, content_type="text/plain")


def closed_port() -> int:
    """A port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
