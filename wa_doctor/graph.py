"""The only code that talks to the Graph API.

Every call goes through :meth:`GraphClient.request`, which turns each way a call can go wrong
into one exception of :mod:`wa_doctor.errors` carrying its finding id: unreachable (DNS, refused,
TLS), timeout, a 5xx or a proxy's HTML page, a body that is not JSON, a redirect loop, and Meta's
own JSON error object (classified through the catalog by ``code``/``error_subcode``). httpx
exceptions never escape, because their text contains the URL, and a ``debug_token`` URL holds
the token being inspected.

Tokens travel in the ``Authorization`` header. ``debug_token`` needs ``input_token`` in the query
string; that is why every message is redacted before it is stored.

:class:`GraphSession` remembers each answer (or error) per token and request for the whole run,
so checks that share a resource cost one round trip, whatever their order or ``-k`` selection.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from . import __version__
from .catalog import Catalog
from .errors import ConfigError, GraphApiError, GraphError
from .identifiers import is_graph_path
from .redaction import Redactor, plain_text
from .tls import TlsContext

MAX_REDIRECTS = 3
_VERSION = re.compile(r"v\d{1,3}\.\d{1,3}")
MAX_BODY_MIB = 5
MAX_BODY_BYTES = MAX_BODY_MIB * 1024 * 1024
"""The largest answer read: Graph answers are kilobytes; more is a broken proxy or an attack."""
CALL_TIMEOUT = 10.0
"""No single call waits longer than this, whatever is left of the run's deadline."""
RETRY_DELAY = 1.0
"""Back-off before the one retry of a GET that Meta answered as transient (429, rate limit, 5xx)."""
TRANSIENT = frozenset({"graph.rate_limited", "graph.server_error"})
WARNING_KEPT = 200
"""Characters of Meta's ``X-Ad-Api-Version-Warning`` kept (Meta's is one sentence of ~70)."""


@dataclass(frozen=True)
class ServedVersion:
    """The version Meta answered a call to ``asked`` with, from the answer's headers:
    ``facebook-api-version``, and the ``X-Ad-Api-Version-Warning`` Meta adds when it upgraded
    the call ("The call has been auto-upgraded to v24.0 as v19.0 has been deprecated.")."""

    asked: str
    served: str
    warning: str = ""

    @property
    def upgraded(self) -> bool:
        return self.served != self.asked


@dataclass(frozen=True)
class CallKey:
    """What identifies one request for the cache (the token by value, kept only in memory)."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    token: str = field(repr=False)
    body: str = ""


class GraphClient:
    """A small synchronous Graph client with classified errors."""

    def __init__(
        self,
        base_url: str,
        version: str,
        *,
        timeout: float,
        redactor: Redactor,
        catalog: Catalog,
        app_secret: str | None = None,
        retry_delay: float = RETRY_DELAY,
        concurrency: int = 8,
        tls: TlsContext | None = None,
    ) -> None:
        """``tls``: the certificates, being loaded since the run started (else loaded now)."""
        self.version = version
        self.redactor = redactor
        self.catalog = catalog
        self.app_secret = app_secret
        self.budget = timeout
        self.deadline = time.monotonic() + timeout
        self.retry_delay = retry_delay
        self._proof_refused = False
        """Meta refused an ``appsecret_proof`` made with ``app_secret``: send none any more."""
        self._resume_at = 0.0
        """Set by a transient answer: until then no thread sends (a shared back-off)."""
        self._slots = threading.BoundedSemaphore(concurrency)
        """At most ``concurrency`` requests in flight, whichever threads send them."""
        self._served: dict[str, ServedVersion] = {}
        """What Meta's answers said of each version asked: an upgrade, once seen, is kept."""
        self._invalid_base = base_url_problem(base_url)
        """Why the configured base URL cannot be used; every request then fails with it."""
        verify = (tls or TlsContext()).get()
        try:
            self._http = httpx.Client(
                base_url=base_url.rstrip("/") if self._invalid_base is None else "",
                timeout=httpx.Timeout(CALL_TIMEOUT),
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                headers={"User-Agent": f"wa-doctor/{__version__}"},
                verify=verify,
                limits=httpx.Limits(
                    max_connections=concurrency, max_keepalive_connections=concurrency
                ),
            )
        except (ImportError, ValueError, httpx.InvalidURL) as exc:  # the proxy variables
            raise ConfigError(proxy_problem(exc)) from None

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        token: str,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        *,
        retry: bool = True,
    ) -> dict[str, Any]:
        """Call ``/{version}/{path}``; return the JSON object or raise a classified error.

        A GET that Meta answers as transient (429, a rate-limit code, a 5xx) is retried once
        after :data:`RETRY_DELAY` (or the answer's ``Retry-After``) unless ``retry`` is off; a
        POST never is, because it may already have sent a message. The back-off holds every
        thread of the client, not only the one that was answered (a rate limit applies to the
        app, not to one request), retried or not.
        """
        if not is_graph_path(path):
            # every caller builds paths from checked ids; reaching this is a bug in this tool
            raise ValueError("refused a Graph path that is not ids and edge names")
        if self._invalid_base is not None:
            raise GraphError(self._redacted(self._invalid_base), "config.invalid_graph_url")
        query = dict(params or {})
        if self.app_secret and "|" not in token and not self._proof_refused:
            query["appsecret_proof"] = appsecret_proof(token, self.app_secret)
        url = f"/{self.version}/{path.lstrip('/')}"
        headers = {"Authorization": f"Bearer {token}"}
        retries = 1 if method == "GET" and retry else 0
        while True:
            response = self._send(method, url, path, query, json_body, headers)
            try:
                return self._parse(response, path)
            except GraphError as error:
                if "appsecret_proof" in query and _refuses_proof(error):
                    # The proof is this tool's addition, made with WHATSAPP_APP_SECRET, and
                    # Meta refuses one made with another app's secret before doing anything
                    # (so even a send is safe to ask again). Ask as the CRM does, without it,
                    # from now on: the wrong secret is one finding (webhooks.app_secret_wrong),
                    # not every check's; an app that requires a proof says so on the next answer.
                    self._proof_refused = True
                    del query["appsecret_proof"]
                    continue
                if error.finding_id not in TRANSIENT:
                    raise
                resume_at = time.monotonic() + _retry_after(response, self.retry_delay)
                if resume_at >= self.deadline:  # waiting cannot help within this run
                    raise
                self._resume_at = max(self._resume_at, resume_at)
                if not retries:
                    raise
                retries -= 1

    def _send(
        self,
        method: str,
        url: str,
        path: str,
        query: dict[str, str],
        json_body: Any,
        headers: dict[str, str],
    ) -> Exchange:
        """One HTTP exchange within what is left of the run's deadline, after any back-off.

        httpx's timeouts bound each read, not the response: a server that sends a byte a
        second would never be cut off. So the body is read in chunks against the deadline,
        and no more than :data:`MAX_BODY_BYTES` of it (decoded) is kept.
        """
        pause = self._resume_at - time.monotonic()
        if pause > 0:
            time.sleep(min(pause, max(0.0, self.deadline - time.monotonic())))
        started = time.monotonic()
        left = self.deadline - started
        if left <= 0:
            raise GraphError(
                self._redacted(f"the run's deadline of {self.budget:g} s passed before {path}"),
                "graph.timeout",
            )
        limit = min(CALL_TIMEOUT, left)
        try:
            with (
                self._slots,
                self._http.stream(
                    method, url, params=query, json=json_body, headers=headers, timeout=limit
                ) as response,
            ):
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        raise GraphError(
                            self._redacted(
                                f"the answer for {path} is larger than {MAX_BODY_MIB} MiB"
                            ),
                            "graph.bad_response",
                            status=response.status_code,
                        )
                    if time.monotonic() - started > limit:
                        raise GraphError(
                            self._redacted(f"no complete answer within {limit:.3g} s for {path}"),
                            "graph.timeout",
                        )
                self._note_version(url, response.headers)
                return Exchange(response.status_code, response.headers, bytes(body))
        except httpx.TimeoutException as exc:
            raise GraphError(
                self._redacted(f"no answer within {limit:.3g} s ({type(exc).__name__}) for {path}"),
                "graph.timeout",
            ) from None
        except httpx.TooManyRedirects:
            raise GraphError(
                self._redacted(f"more than {MAX_REDIRECTS} redirects for {path}"),
                "graph.bad_response",
            ) from None
        except httpx.HTTPError as exc:
            raise GraphError(
                self._redacted(f"cannot connect: {type(exc).__name__}: {exc}"), "graph.unreachable"
            ) from None

    def _note_version(self, url: str, headers: httpx.Headers) -> None:
        """Keep what this answer says of the version its call asked for (every answer, errors
        included: Meta upgrades a call on its own schedule, not the table's)."""
        served = headers.get("facebook-api-version", "").strip()
        asked = url.split("/", 2)[1]
        if not (_VERSION.fullmatch(served) and _VERSION.fullmatch(asked)):
            return
        known = self._served.get(asked)
        if known is not None and (known.upgraded or served == asked):
            return  # nothing new: every answer passes here, the warning is read only once
        warning = plain_text(headers.get("x-ad-api-version-warning", ""))[:WARNING_KEPT]
        self._served[asked] = ServedVersion(asked, served, self._redacted(warning.strip()))
        # one assignment: safe from any thread

    def served_version(self, version: str) -> ServedVersion | None:
        """What Meta's answers so far said of ``version``; None before any answer."""
        return self._served.get(version)

    def ask_version(self, version: str, token: str) -> ServedVersion | None:
        """What Meta says of a version this client does not call (a retired one the CRM still
        uses: the checks call a served one), asked with one ``debug_token``."""
        if self._invalid_base is None and _VERSION.fullmatch(version):
            with contextlib.suppress(GraphError):
                self._send(
                    "GET",
                    f"/{version}/debug_token",
                    "debug_token",
                    {"input_token": token},
                    None,
                    {"Authorization": f"Bearer {token}"},
                )
        return self._served.get(version)

    def _parse(self, response: Exchange, path: str) -> dict[str, Any]:
        status = response.status_code
        try:
            body = json.loads(response.content)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or an int of 5,000 digits
            body = None  # RecursionError: JSON nested deeper than Python's stack
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            raise self._api_error(status, body["error"])
        if status >= 500:
            raise GraphError(
                self._redacted(
                    f"HTTP {status} from the Graph API for {path}: {_snippet(response)}"
                ),
                "graph.server_error",
                status=status,
            )
        if status == 429:
            raise GraphError(
                self._redacted(f"HTTP 429 for {path}"), "graph.rate_limited", status=status
            )
        if not isinstance(body, dict):
            raise GraphError(
                self._redacted(
                    f"HTTP {status} for {path} with a body that is not a JSON object: "
                    f"{_snippet(response)}"
                ),
                "graph.bad_response",
                status=status,
            )
        if status >= 400:
            raise GraphError(
                self._redacted(f"HTTP {status} for {path}"), "graph.error", status=status
            )
        return body

    def _api_error(self, status: int, error: Mapping[str, Any]) -> GraphApiError:
        code = as_int(error.get("code"))
        subcode = as_int(error.get("error_subcode"))
        details = meta_details(error)
        message = str(error.get("message") or "")
        finding_id = self.catalog.for_graph_error(code, subcode, message, details or "") or (
            "graph.server_error" if status >= 500 else "graph.error"
        )
        trace = str(error.get("fbtrace_id") or "—")
        where = f"code {code}" + (f"/{subcode}" if subcode else "")
        text = f"HTTP {status}, {where} ({error.get('type') or '?'}): {message}"
        if details:
            text += f" — {details}"
        return GraphApiError(
            self._redacted(text + f" (fbtrace_id {trace})"),
            status=status,
            code=code,
            subcode=subcode,
            error_type=self._redacted(str(error.get("type") or "")) or None,
            fbtrace_id=trace,
            details=self._redacted(details) if details else None,
            meta_message=self._redacted(message),
            finding_id=finding_id,
        )

    def _redacted(self, text: str) -> str:
        return self.redactor(text)


def appsecret_proof(token: str, app_secret: str) -> str:
    """HMAC-SHA256 of the token keyed with the app secret, as Meta's "Require App Secret" wants."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def _refuses_proof(error: GraphError) -> bool:
    """Meta's answer to a proof made with another secret (reference 7.3)."""
    message = error.meta_message if isinstance(error, GraphApiError) else None
    return "invalid appsecret_proof" in (message or "").lower()


PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
)


def proxy_problem(exc: BaseException) -> str:
    """What to tell about proxy variables httpx cannot use: which are set, and the kind of
    problem, never their values (a proxy URL may hold a password)."""
    named = ", ".join(name for name in PROXY_VARIABLES if os.environ.get(name)) or "none set"
    if isinstance(exc, ImportError):
        why = "a SOCKS proxy needs httpx's socks extra: pip install 'httpx[socks]'"
    else:
        why = "a proxy URL is not a valid URL (scheme://host:port, its password percent-encoded)"
    return f"the proxy settings cannot be used ({named}): {why}"


def as_int(value: Any) -> int | None:
    """An integer from Meta's JSON, or None (codes arrive as numbers, strings or not at all)."""
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError, OverflowError):  # OverflowError: 1e999 is JSON's infinity
        return None


def meta_details(error: Mapping[str, Any]) -> str:
    """What Meta said besides its error's ``message``, each thing once: ``error_data.details``
    (a plain string on template endpoints) and its words for the user, ``error_user_title`` and
    ``error_user_msg`` ("Message Template Not Found", in the user's language), which are all a
    generic code 100 says of what happened. Words the message holds already are left out."""
    error_data = error.get("error_data")
    details = error_data.get("details") if isinstance(error_data, Mapping) else error_data
    message = str(error.get("message") or "").lower()
    said = [str(v) for v in (details, error.get("error_user_title"), error.get("error_user_msg"))]
    return " — ".join(
        dict.fromkeys(s for s in said if s.strip() and s != "None" and s.lower() not in message)
    )


def _retry_after(response: Exchange, default: float) -> float:
    """Seconds to wait before retrying: the answer's ``Retry-After`` when it gives seconds."""
    try:
        return max(default, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return default


def _snippet(response: Exchange) -> str:
    text = " ".join(response.content[:160].decode("utf-8", "replace").split())
    return repr(text) if text else "(empty body)"


@dataclass(frozen=True)
class Exchange:
    """What one exchange gave: the status, headers and the (bounded) body."""

    status_code: int
    headers: httpx.Headers
    content: bytes


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the Graph base URL, or None when it can.

    A malformed URL would end the run in an httpx exception; a ``user:pass@`` in it would make
    httpx send Basic auth in place of the token; a query or fragment would mangle every path.
    """
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"not a URL ({exc})"
    if parsed.scheme not in ("http", "https"):
        return "it must start with https:// (or http:// for a local simulator)"
    if not parsed.host or not re.fullmatch(r"[A-Za-z0-9.\-:\[\]]+", parsed.host):
        return "it has no valid host name"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return f"port {parsed.port} does not exist"
    if parsed.userinfo:
        return "it holds a user name or password, which would be sent in place of the token"
    if parsed.query or parsed.fragment:
        return "it has a query (?…) or fragment (#…); give the base URL only"
    return None


class GraphSession:
    """Remembers every answer and error of the run, so each resource is fetched once.

    Thread-safe: concurrent checks asking for the same resource wait for one request.
    """

    def __init__(self, client: GraphClient) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._results: dict[CallKey, tuple[bool, Any]] = {}
        self._pending: dict[CallKey, threading.Lock] = {}

    def get(
        self,
        path: str,
        token: str,
        params: Mapping[str, str] | None = None,
        *,
        retry: bool = True,
    ) -> dict[str, Any]:
        """GET once per run; ``retry=False`` for a read with a fallback of its own."""
        key = CallKey("GET", path, tuple(sorted((params or {}).items())), token)
        return self._cached(key, retry)

    def post(self, path: str, token: str, body: Any) -> dict[str, Any]:
        """Never cached: a POST has an effect (sending a message) and must happen once."""
        return self.client.request("POST", path, token, json_body=body)

    def served_version(self, version: str) -> ServedVersion | None:
        """What the run's answers said of ``version`` (see :meth:`GraphClient.served_version`)."""
        return self.client.served_version(version)

    @property
    def version(self) -> str:
        """The version the run's calls ask for."""
        return self.client.version

    def ask_version(self, version: str, token: str) -> ServedVersion | None:
        """See :meth:`GraphClient.ask_version` (never cached: asked once, by one check)."""
        return self.client.ask_version(version, token)

    def _cached(self, key: CallKey, retry: bool) -> dict[str, Any]:
        answered = self._results.get(key)  # a result is set once and never changed: no lock
        if answered is None:  # (read tens of thousands of times once the answers are in)
            with self._lock:
                gate = self._pending.setdefault(key, threading.Lock())
            with gate:
                if key not in self._results:
                    try:
                        self._results[key] = (
                            True,
                            self.client.request(
                                key.method, key.path, key.token, dict(key.params), retry=retry
                            ),
                        )
                    except GraphError as exc:
                        self._results[key] = (False, exc)
            answered = self._results[key]
        ok, value = answered
        if not ok:
            raise value
        return value

    def close(self) -> None:
        self.client.close()
