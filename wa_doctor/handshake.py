"""Meta's webhook verification handshake, performed against the CRM's callback URL.

Whenever a callback URL or verify token is saved in the App Dashboard (or an override is set),
Meta sends ``GET <callback>?hub.mode=subscribe&hub.challenge=<n>&hub.verify_token=<token>`` and
accepts the endpoint only when it answers 200 with the challenge as the whole body, over HTTPS
with a certificate a public CA issued ("Self-signed certificates are not supported"). Doing the
same request here tells, before anyone touches the dashboard, which of those the endpoint gets
wrong. It is only done when the user asks (``--wa-webhook-verify``): it reaches their server.

The outcome is a plain value, the failure a catalog finding id with its parameters; the verify
token travels only in the request's query and every text taken from the exchange is redacted.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import json
import secrets
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import httpx

from .redaction import SEARCHABLE, Redactor, plain_text

LIMIT = 5.0
"""Seconds the endpoint has to answer. Meta publishes no figure for the handshake; an endpoint
slower than this fails the dashboard's "Verify and save" often enough to be worth a finding."""

BODY_LIMIT = 4096
"""Bytes of the answer read: a challenge is a few digits, anything longer is already wrong."""

SHOWN_BODY = 80
"""Characters of a wrong answer quoted in the finding."""


@dataclass(frozen=True)
class Handshake:
    """What the handshake gave: ``finding`` is None when the endpoint answered as Meta needs."""

    url: str
    finding: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def shown_url(url: str) -> str:
    """The callback URL as findings show it: scheme, host, port and path (a query may hold a
    key some integrations put there)."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a port that is not one: shown as written, without the query
        return plain_text(url.split("?")[0])
    return plain_text(f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}")


def verify(
    url: str,
    verify_token: str,
    redactor: Redactor,
    *,
    limit: float = LIMIT,
    trust: str | None = None,
    local_graph: bool = False,
) -> Handshake:
    """Send Meta's verification request to ``url`` and judge the answer as Meta would.

    ``trust`` is a CA file to trust instead of the system's (the simulator's own CA: never a
    user setting, since Meta trusts public CAs only). The endpoint may be on this machine or a
    private network only when Graph itself is (``local_graph``: the simulator, a test double;
    the URLs it reports are the user's own). Otherwise whoever can set a number's callback
    override could point it at an internal host and collect the CRM's verify token: so the
    host is resolved first, refused if any of its addresses is not a public one, and the
    request goes to the address that was checked (a second lookup could answer differently).
    """
    shown = shown_url(url)
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError as exc:  # a port that is not one
        return Handshake(shown, "webhooks.handshake_unreachable", {"reason": plain_text(str(exc))})
    if parts.scheme != "https" or not parts.hostname:
        return Handshake(shown, "webhooks.handshake_not_https")
    started = time.monotonic()
    request: dict[str, Any] = {}
    if not local_graph:
        address = public_address(parts.hostname, port, limit)
        if isinstance(address, Handshake):
            return Handshake(shown, address.finding, address.params)
        host = f"[{address}]" if ":" in address else address
        url = urlunsplit(parts._replace(netloc=f"{host}:{port}"))
        request = {
            "headers": {"Host": parts.netloc.rpartition("@")[2]},
            "extensions": {"sni_hostname": parts.hostname},
        }
    challenge = str(secrets.randbelow(9 * 10**9) + 10**9)
    query = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
    verify_with: ssl.SSLContext | bool = ssl.create_default_context(cafile=trust) if trust else True
    left = max(0.1, limit - (time.monotonic() - started))
    try:
        with (
            httpx.Client(verify=verify_with, timeout=left, follow_redirects=False) as client,
            client.stream("GET", url, params=query, **request) as answer,
        ):
            body = _read(answer, started + limit)
    except httpx.TimeoutException:
        return Handshake(shown, "webhooks.handshake_slow", {"seconds": f"{limit:g}"}, limit)
    except httpx.ConnectError as exc:
        reason = redactor(_reason(exc))
        if "certificate" in reason.lower():  # CERTIFICATE_VERIFY_FAILED and its kin
            return Handshake(shown, "webhooks.handshake_bad_certificate", {"reason": reason})
        return Handshake(shown, "webhooks.handshake_unreachable", {"reason": reason})
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        return Handshake(
            shown, "webhooks.handshake_unreachable", {"reason": redactor(_reason(exc))}
        )
    seconds = time.monotonic() - started
    if body is None:
        return Handshake(shown, "webhooks.handshake_slow", {"seconds": f"{limit:g}"}, seconds)
    if answer.status_code != 200:
        return Handshake(
            shown, "webhooks.handshake_status", {"status": str(answer.status_code)}, seconds
        )
    text = body.decode("utf-8", errors="replace")
    if text.strip() != challenge:
        if may_hold(text, verify_token):  # in some encoding of its own: show none of it
            quoted = f"<{len(body)} bytes>"
        else:
            quoted = redactor(text.replace(challenge, "<challenge>"))[:SHOWN_BODY]
        return Handshake(shown, "webhooks.handshake_challenge", {"body": quoted or '""'}, seconds)
    return Handshake(shown, None, {}, seconds)


def may_hold(text: str, secret: str) -> bool:
    """Whether ``text`` may hold ``secret`` in some encoding: its letters and digits, 8 at a
    time, are looked for among the text's (so ``\\/``, ``&#39;``, ``%2F``, spaces or a cut
    change nothing). A secret with fewer than :data:`SEARCHABLE` of them cannot be looked
    for: then yes."""
    letters = _alphanumerics(secret)
    if len(letters) < SEARCHABLE:
        return True
    among = "|".join(_alphanumerics(form) for form in _decodings(text))
    width = min(len(letters), 8)
    return any(letters[i : i + width] in among for i in range(len(letters) - width + 1))


def _decodings(text: str) -> list[str]:
    """``text`` as written and as each escaping it may carry would read it."""
    forms = [text, unquote_plus(text), html.unescape(text)]
    with contextlib.suppress(ValueError):
        forms.append(json.loads(f'"{text}"'))
    return forms


def _alphanumerics(text: str) -> str:
    return "".join(char for char in text.lower() if char.isalnum())


def is_local(url: str) -> bool:
    """Whether ``url``'s host is this machine (a loopback name or address)."""
    try:
        host = urlsplit(url).hostname or ""
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_address(host: str, port: int, limit: float) -> str | Handshake:
    """The first address ``host`` resolves to, when every one of them is public; else the
    finding that says why not (not resolved in time, or a private address)."""
    found: list[Any] = []

    def resolve() -> None:
        with contextlib.suppress(OSError, UnicodeError):
            found.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))

    lookup = threading.Thread(target=resolve, daemon=True)  # getaddrinfo has no time limit
    lookup.start()
    lookup.join(limit)
    if lookup.is_alive():
        return Handshake("", "webhooks.handshake_slow", {"seconds": f"{limit:g}"})
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in found))
    if not addresses:
        reason = f"{plain_text(host)[:100]}: no address"
        return Handshake("", "webhooks.handshake_unreachable", {"reason": reason})
    private = [a for a in addresses if not ipaddress.ip_address(a).is_global]
    if private:
        return Handshake("", "webhooks.handshake_private_address", {"address": private[0]})
    return addresses[0]


def _read(answer: httpx.Response, deadline: float) -> bytes | None:
    """The first :data:`BODY_LIMIT` bytes, or None when the deadline passes first (a server
    answering a byte at a time is as slow as one not answering)."""
    body = b""
    for chunk in answer.iter_bytes():
        body += chunk
        if time.monotonic() > deadline:
            return None
        if len(body) >= BODY_LIMIT:
            break
    return body[:BODY_LIMIT]


def _reason(exc: BaseException) -> str:
    """The innermost readable cause: httpx wraps the socket or TLS error that says what broke."""
    while exc.__context__ is not None and not str(exc):
        exc = exc.__context__
    return plain_text(str(exc) or type(exc).__name__)
