"""A Graph API simulator served over real HTTP on 127.0.0.1.

A threaded werkzeug server (its public ``make_server``): the doctor's httpx client talks to it
exactly as to graph.facebook.com, with no patching. It answers from a
:class:`~wa_doctor.simulator.world.World` and records every request and the peak number in
flight, so tests can count round trips.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from werkzeug import Request, Response

from ..catalog import load as load_catalog
from .callback import CallbackEndpoint
from .meta import (
    CANNOT_PARSE,
    Answer,
    TokenError,
    appsecret_proof_invalid,
    appsecret_proof_missing,
    debug_caller_not_allowed,
    fbtrace_id,
    graph_error,
    nonexisting_field,
    send_error,
    token_rejected,
    too_much_data,
    unsupported_request,
)
from .serving import Served
from .world import Fault, PhoneState, TokenState, WabaState, World

FAULT_DELAY = 12.0
"""How long a 'timeout' fault holds a request: longer than one call may take (10 s)."""

PHONE_DEFAULT_FIELDS = ("id", "display_phone_number", "verified_name", "quality_rating")
"""What GET /{phone-number-id} returns without ``fields`` (S-SPEC getPhoneNumberById)."""
WABA_EDGES = ("phone_numbers", "subscribed_apps", "message_templates")
"""The WABA's edges the simulator serves, alone or nested in the WABA's answer."""


@dataclass(frozen=True)
class Seen:
    """One request as the simulator saw it (the token is not kept)."""

    method: str
    path: str
    query: dict[str, str]
    caller: str
    """'app' (the app token), 'known' (a token the world knows) or 'unknown'."""
    subject: str = ""
    """A short hash of the token the request is about (debug_token's input, else the caller),
    so tests can group requests by credential without keeping a token."""
    started: float = 0.0
    ended: float = 0.0
    """When the simulator began and finished answering (time.monotonic)."""
    status: int = 0

    def key(self) -> tuple[str, str, str, str]:
        """What makes two requests the same request (for duplicate counting)."""
        return self.method, self.path, json.dumps(self.query, sort_keys=True), self.subject


class GraphSimulator:
    """Serve a :class:`World` as the Graph API. Use as a context manager or start()/stop()."""

    def __init__(self, world: World, host: str = "127.0.0.1", port: int = 0) -> None:
        self.world = world
        self.host = host
        self.port = port
        self.seen: list[Seen] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self._count_lock = threading.Lock()
        self._served: Served | None = None
        self.callback = CallbackEndpoint(world) if world.callback is not None else None
        """The CRM's webhook endpoint, when the scenario has one."""

    def start(self) -> None:
        # werkzeug logs every request at INFO (and adds its own stderr handler when the level
        # is unset): access lines would clutter every report's captured log.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._served = Served(Request.application(self.dispatch), self.host, self.port)
        self.port = self._served.port
        if self.callback is not None:
            self.callback.start()

    def stop(self) -> None:
        if self.callback is not None:
            self.callback.stop()
        if self._served is not None:
            self._served.stop()
        self._served = None

    def __enter__(self) -> GraphSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def requests_to(self, suffix: str) -> list[Seen]:
        return [s for s in self.seen if s.path.endswith(suffix)]

    # -- werkzeug entry point -----------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        started = time.monotonic()
        with self._count_lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            fault = self.world.fault
            if self.world.rate_limited_requests > 0:
                self.world.rate_limited_requests -= 1
                fault = Fault.RATE_LIMIT
        response = Response(status=500)
        try:
            if self.world.latency:
                time.sleep(self.world.latency)
            if fault is not None:
                response = _fault_response(fault, request)
            else:
                response = _to_response(self.answer(request))
                if self.world.version_headers:
                    response.headers.update(version_headers(request.path, self.world))
            return response
        finally:
            seen = Seen(
                request.method,
                request.path,
                _public_query(request),
                self._caller(request),
                _subject(request),
                started,
                time.monotonic(),
                response.status_code,
            )
            with self._count_lock:
                self.in_flight -= 1
                self.seen.append(seen)

    def depth(self) -> int:
        """The most requests about one token that ran one after another (none overlapping):
        the sequential round trips the slowest credential paid."""
        by_subject: dict[str, list[Seen]] = {}
        for seen in self.seen:
            by_subject.setdefault(seen.subject, []).append(seen)
        return max((_chain(requests) for requests in by_subject.values()), default=0)

    def _caller(self, request: Request) -> str:
        token = _bearer(request)
        if token == self.world.app_token:
            return "app"
        return "known" if token in self.world.tokens else "unknown"

    # -- the Graph API --------------------------------------------------------------------
    def answer(self, request: Request) -> Answer:
        parts = [p for p in request.path.split("/") if p][1:]  # drop the version
        token = _bearer(request)
        refused = self._proof_error(token, request.args.get("appsecret_proof"))
        if refused is not None:
            return refused
        if parts == ["debug_token"] and request.method == "GET":
            return self._debug_token(token, request.args.get("input_token", ""))
        if parts == [self.world.app_id, "subscriptions"] and request.method == "GET":
            return self._app_subscriptions(token)
        caller_error = self._caller_error(token)
        if caller_error is not None:
            return caller_error
        caller = self.world.tokens[token]
        routes: dict[tuple[str, int], Callable[[TokenState, list[str], Request], Answer]] = {
            ("GET", 1): self._node,
            ("GET", 2): self._edge,
            ("POST", 2): self._send,
        }
        handler = routes.get((request.method, len(parts)))
        if handler is None:
            return unsupported_request(request.method, parts[0] if parts else "")
        return handler(caller, parts, request)

    def _app_subscriptions(self, token: str) -> Answer:
        """GET /{app-id}/subscriptions: the app's webhook subscriptions, for its app token only
        (a wrong app secret makes a token Meta rejects)."""
        if token != self.world.app_token:
            return token_rejected(TokenError(190, None, "Invalid OAuth access token signature."))
        return Answer(200, {"data": [dict(s) for s in self.world.app_subscriptions]})

    def _proof_error(self, token: str, proof: str | None) -> Answer | None:
        """A user token's ``appsecret_proof``: checked whenever one is sent (a proof made
        with another secret is refused), required when the app requires it. App tokens hold
        the secret themselves and need none."""
        state = self.world.tokens.get(token)
        if state is None:
            return None
        if proof is None:
            return appsecret_proof_missing() if self.world.require_app_secret else None
        secret = self.world.app_secret if state.app_id == self.world.app_id else ""
        expected = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(proof, expected) else appsecret_proof_invalid()

    def _caller_error(self, token: str) -> Answer | None:
        state = self.world.tokens.get(token)
        if state is None:
            return token_rejected(TokenError(190, None, CANNOT_PARSE))
        if state.error is not None:
            return token_rejected(state.error)
        return None

    def _debug_token(self, caller: str, input_token: str) -> Answer:
        world = self.world
        if caller != world.app_token:
            rejected = self._caller_error(caller)
            if rejected is not None:
                return rejected
        inspected = world.tokens.get(input_token)
        caller_app = world.app_id if caller == world.app_token else world.tokens[caller].app_id
        if inspected is None:
            # FIX: an unparsable input token still gives HTTP 200, is_valid false.
            body = {
                "data": {
                    "error": {"code": 190, "message": CANNOT_PARSE},
                    "is_valid": False,
                    "scopes": [],
                }
            }
            return Answer(200, body)
        if inspected.app_id != caller_app:
            return debug_caller_not_allowed()
        return Answer(200, {"data": _token_data(inspected)})

    def _node(self, caller: TokenState, parts: list[str], request: Request) -> Answer:
        (node_id,) = parts
        phone = self.world.phones.get(node_id)
        if phone is not None and caller.can_reach(phone.waba_id):
            fields = _fields(request) or PHONE_DEFAULT_FIELDS
            missing = self._phone_fields_missing(fields)
            if missing is not None:
                return missing
            return Answer(200, _phone_data(phone, fields, self._webhook_configuration(phone)))
        waba = self.world.wabas.get(node_id)
        if waba is not None and caller.can_reach(waba.id):
            return self._waba(waba, _field_spec(request.args.get("fields", "")))
        return unsupported_request("GET", node_id)

    def _waba(self, waba: WabaState, spec: FieldSpec) -> Answer:
        """The WABA node, its edges nested as Graph's field expansion does
        (``phone_numbers{id,status}``); an empty edge is left out, as Graph leaves it."""
        known = {
            "id": waba.id,
            "name": waba.name,
            "account_review_status": waba.account_review_status,
            "business_verification_status": waba.business_verification_status,
        }
        foreign = [f for f in spec if f not in known and f not in WABA_EDGES]
        if foreign:  # a phone field asked of a WABA id: Graph names the node type
            return nonexisting_field(foreign[0], "WhatsAppBusinessAccount")
        if self.world.nested_too_much_data and any(s is not None for s in spec.values()):
            return too_much_data()
        missing = self._phone_fields_missing(tuple(spec.get("phone_numbers") or ()))
        if missing is not None:
            return missing
        answer: dict[str, Any] = {"id": waba.id}
        for name, sub in (spec or {"name": None}).items():
            if name in known:
                answer[name] = known[name]
                continue
            edge = self._edge_data(waba, name, sub, {})
            if edge["data"]:
                answer[name] = edge
        return Answer(200, answer)

    def _edge(self, caller: TokenState, parts: list[str], request: Request) -> Answer:
        waba_id, edge = parts
        waba = self.world.wabas.get(waba_id)
        if waba is None or not caller.can_reach(waba_id) or edge not in WABA_EDGES:
            return unsupported_request("GET", waba_id)
        spec = _field_spec(request.args.get("fields", "")) or None
        missing = self._phone_fields_missing(tuple(spec or ()) if edge == "phone_numbers" else ())
        if missing is not None:
            return missing
        return Answer(200, self._edge_data(waba, edge, spec, request.args))

    def _phone_fields_missing(self, fields: tuple[str, ...]) -> Answer | None:
        """Graph's refusal of a read asking phone number fields the version lacks, if any."""
        missing = [f for f in fields if f in self.world.phone_fields_missing]
        return nonexisting_field(missing[0], "WhatsAppBusinessPhoneNumber") if missing else None

    def _edge_data(
        self, waba: WabaState, edge: str, spec: FieldSpec | None, args: Mapping[str, str]
    ) -> dict[str, Any]:
        """A WABA edge's answer, alone (``GET /{waba-id}/{edge}``) or nested in the node's."""
        if edge == "subscribed_apps":  # S-SPEC getAllSubscriptionsForAWaba
            data: list[dict[str, Any]] = []
            for app_id, name in waba.subscribed_apps:
                entry: dict[str, Any] = {
                    "whatsapp_business_api_data": {
                        "id": app_id,
                        "name": name,
                        "link": f"https://www.facebook.com/games/?app_id={app_id}",
                    }
                }
                if app_id == self.world.app_id and waba.override_callback_uri:
                    entry["override_callback_uri"] = waba.override_callback_uri  # S-SPEC
                data.append(_select(entry, spec))
            return {"data": data}
        if edge == "phone_numbers":
            phones = [p for p in self.world.phones.values() if p.waba_id == waba.id]
            fields = tuple(spec or ()) or PHONE_DEFAULT_FIELDS
            hooks = self._webhook_configuration
            return {"data": [_phone_data(p, fields, hooks(p)) for p in phones]}
        name = args.get("name")  # message_templates
        found = [t for t in waba.templates if name is None or t.name == name]
        data = [
            {
                "name": t.name,
                "language": t.language,
                "status": t.status,
                "category": t.category,
                "components": t.components,
                "rejected_reason": t.rejected_reason,
                **({"previous_category": t.previous_category} if t.previous_category else {}),
                "id": t.id,
            }
            for t in found
        ]
        return {"data": data, "paging": {"cursors": {"before": "QVFI", "after": "QVFI"}}}

    def _webhook_configuration(self, phone: PhoneState) -> dict[str, str]:
        """The number's ``webhook_configuration`` as Meta's "Webhook overrides" page shows it:
        the callback URL set at each level, those not set left out."""
        levels = {
            "phone_number": phone.override_callback_uri,
            "whatsapp_business_account": self.world.wabas[phone.waba_id].override_callback_uri,
            "application": self.world.callback_url,
        }
        return {level: url for level, url in levels.items() if url}

    def _send(self, caller: TokenState, parts: list[str], request: Request) -> Answer:
        """POST /{phone-number-id}/messages (reference section 5)."""
        phone_id, edge = parts
        phone = self.world.phones.get(phone_id)
        if edge != "messages" or phone is None or not caller.can_reach(phone.waba_id):
            return unsupported_request("POST", phone_id)
        if "whatsapp_business_messaging" not in caller.scopes:
            return send_error("no_permission")
        if phone.status != "CONNECTED":
            return send_error("not_registered")
        if self.world.send_refusal:
            return send_error(self.world.send_refusal)
        body = request.get_json(silent=True) or {}
        to = "".join(ch for ch in str(body.get("to", "")) if ch.isdigit())
        user_id = "" if to else str(body.get("recipient", ""))  # a BSUID; ``to`` wins (Meta)
        if phone.account_mode == "SANDBOX" and to not in self.world.allowed_recipients:
            return send_error("not_allowed")  # a BSUID too: the "To" list holds numbers
        if body.get("type") == "template":
            refusal = self._template_refusal(
                phone.waba_id, body.get("template") or {}, bool(user_id)
            )
            if refusal is not None:
                return refusal
        elif not self._window_open(to) and self.world.window_error_sync:
            return send_error("window")
        message: dict[str, Any] = {"id": "wamid.HBgL" + fbtrace_id()}
        if body.get("type") == "template":
            message["message_status"] = "accepted"  # S-SPEC MessageStatus; templates only (3rd)
        return Answer(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [
                    {"input": user_id, "user_id": user_id}  # no wa_id (Meta's BSUID page)
                    if user_id
                    else {"input": str(body.get("to", "")), "wa_id": to}
                ],
                "messages": [message],
            },
        )

    def _template_refusal(
        self, waba_id: str, template: dict[str, Any], to_user_id: bool = False
    ) -> Answer | None:
        name = template.get("name")
        language = (template.get("language") or {}).get("code")
        found = next(
            (
                t
                for t in self.world.wabas[waba_id].templates
                if t.name == name and t.language == language
            ),
            None,
        )
        if found is None or found.status not in ("APPROVED", "PAUSED", "DISABLED"):
            return send_error("no_translation", name=str(name), language=str(language))
        refusal = {"PAUSED": "paused", "DISABLED": "disabled"}.get(found.status)
        if refusal is None and to_user_id and found.category == "AUTHENTICATION":
            refusal = "bsuid_not_supported"  # one-tap, zero-tap and copy-code need a number
        return send_error(refusal) if refusal else None

    def _window_open(self, number: str) -> bool:
        last = self.world.recipients.get(number)
        return last is not None and time.time() - last < 24 * 3600


def _token_data(state: TokenState) -> dict[str, Any]:
    """debug_token's ``data`` object (S-DBG; S-PERM system-user example; FIX invalid cases)."""
    data: dict[str, Any] = {
        "app_id": state.app_id,
        "type": state.type,
        "application": state.application,
        "data_access_expires_at": state.data_access_expires_at,
        "expires_at": state.expires_at,
        "is_valid": state.error is None,
        "issued_at": state.issued_at,
        "scopes": list(state.scopes),
        "granular_scopes": state.granular_scopes(),
        "user_id": state.user_id,
    }
    if state.error is not None:
        error: dict[str, Any] = {"code": state.error.code, "message": state.error.message}
        if state.error.subcode is not None:
            error["subcode"] = state.error.subcode  # debug_token uses "subcode" (FIX)
        data["error"] = error
    return data


def _phone_data(
    phone: PhoneState, fields: tuple[str, ...], webhook_configuration: dict[str, str]
) -> dict[str, Any]:
    everything: dict[str, Any] = {
        "webhook_configuration": webhook_configuration,
        "id": phone.id,
        "display_phone_number": phone.display_phone_number,
        "verified_name": phone.verified_name,
        "is_on_biz_app": phone.is_on_biz_app,
        "quality_rating": phone.quality_rating,
        "code_verification_status": phone.code_verification_status,
        "name_status": phone.name_status,
        "status": phone.status,
        "platform_type": phone.platform_type,
        "account_mode": phone.account_mode,
        "throughput": {"level": phone.throughput},
        "whatsapp_business_manager_messaging_limit": phone.messaging_limit,
        "health_status": _health(phone),
    }
    return {key: everything[key] for key in ("id", *fields) if key in everything}


def _health(phone: PhoneState) -> dict[str, Any]:
    """health_status as S-HEALTH documents it: an overall value and one entity per node."""
    entity: dict[str, Any] = {
        "entity_type": "PHONE_NUMBER",
        "id": phone.id,
        "can_send_message": phone.can_send_message.value,
    }
    if phone.health_errors:
        entity["errors"] = phone.health_errors
    if phone.health_info:
        entity["additional_info"] = phone.health_info
    entities = [entity] + [
        {"entity_type": kind, "id": phone.waba_id, "can_send_message": "AVAILABLE"}
        for kind in ("WABA", "BUSINESS", "APP")
    ]
    return {"can_send_message": phone.can_send_message.value, "entities": entities}


def _fields(request: Request) -> tuple[str, ...]:
    return tuple(_field_spec(request.args.get("fields", "")))


FieldSpec = dict[str, "FieldSpec | None"]
"""Graph's ``fields``: each field named, with the fields asked of it when nested."""


def _field_spec(raw: str) -> FieldSpec:
    """Parse field expansion: ``a,b{c,d{e}},f.limit(5)`` → ``{"a": None, "b": {"c": None,
    "d": {"e": None}}, "f": None}`` (modifiers such as ``.limit(5)`` are accepted and unused)."""
    parts, depth, start = [], 0, 0
    for n, char in enumerate(raw):
        depth += (char in "{(") - (char in "})")
        if char == "," and depth == 0:
            parts.append(raw[start:n])
            start = n + 1
    parts.append(raw[start:])
    spec: FieldSpec = {}
    for part in (p.strip() for p in parts):
        head, brace, nested = part.partition("{")
        name = head.split(".", 1)[0].strip()
        if name:
            spec[name] = _field_spec(nested.rpartition("}")[0]) if brace else None
    return spec


def _select(value: Any, spec: FieldSpec | None) -> Any:
    """``value`` with only the fields ``spec`` asks for (and ``id``), at every level."""
    if spec is None or not isinstance(value, dict):
        return value
    return {k: _select(value[k], spec.get(k)) for k in ("id", *spec) if k in value}


def _chain(requests: list[Seen]) -> int:
    """The longest run of requests each starting after the previous one ended (greedy by end
    time, which is optimal for intervals)."""
    count, free_at = 0, float("-inf")
    for seen in sorted(requests, key=lambda s: s.ended):
        if seen.started >= free_at:
            count, free_at = count + 1, seen.ended
    return count


def _subject(request: Request) -> str:
    token = request.args.get("input_token") or _bearer(request)
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def _bearer(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:]
    return request.args.get("access_token", "")


def _public_query(request: Request) -> dict[str, str]:
    """The query without tokens, for request logs that tests may print."""
    hidden = {"input_token", "access_token", "appsecret_proof"}
    return {k: v for k, v in request.args.items() if k not in hidden}


def version_headers(path: str, world: World) -> dict[str, str]:
    """The headers Meta answers a call with: ``facebook-api-version``, and when Meta upgraded
    the call, ``X-Ad-Api-Version-Warning`` in Meta's words. A version the world upgrades
    early (the field's recordings: v20.0 answered as v22.0 in April 2025, while Meta's table
    served v20.0 until September 2026) says "will be"; a retired one goes to the newest version
    released, as recorded (v19.0 as v24.0 in February 2026), and says "has been"."""
    asked = next((p for p in path.split("/") if p), "")
    catalog = load_catalog()
    today = date.today()
    if asked in world.auto_upgrades:
        served, when = world.auto_upgrades[asked], "will be"
    elif catalog.api_version_served(asked, today):
        return {"facebook-api-version": asked}
    else:
        released = [v for v in catalog.api_versions if v.released <= today]
        newest = max(released, key=lambda v: v.released, default=None)
        served, when = (newest.name if newest else asked), "has been"
    return {
        "facebook-api-version": served,
        "x-ad-api-version-warning": (
            f"The call has been auto-upgraded to {served} as {asked} {when} deprecated."
        ),
    }


def _to_response(answer: Answer) -> Response:
    response = Response(
        json.dumps(answer.body),
        status=answer.status,
        content_type="application/json; charset=UTF-8",
    )
    for name, value in answer.headers:
        # a header is one line of Latin-1, as Meta's are; the body carries the exact text
        line = " ".join(value.split())
        response.headers[name] = line.encode("latin-1", "backslashreplace").decode("latin-1")
    response.headers["x-fb-trace-id"] = "simulated"
    return response


HUGE_BODY_BYTES = 64 * 1024 * 1024
"""The 'huge' fault's body: far beyond what any Graph answer is, streamed so it costs no memory."""
DRIP_INTERVAL = 0.25


def _drip(body: bytes) -> Iterator[bytes]:
    for byte in body:
        time.sleep(DRIP_INTERVAL)
        yield bytes([byte])


def _huge_json(size: int) -> Iterator[bytes]:
    chunk = b" " * 65536
    yield b'{"data": ['
    for _ in range(size // len(chunk)):
        yield chunk
    yield b"]}"


def _fault_response(fault: Fault, request: Request) -> Response:
    if fault is Fault.TIMEOUT:
        time.sleep(FAULT_DELAY)
        return Response("{}", status=200, content_type="application/json")
    if fault is Fault.SERVER_ERROR:
        answer = graph_error(500, 2, "Service temporarily unavailable", error_type="OAuthException")
        answer.body["error"]["is_transient"] = True
        return _to_response(answer)
    if fault is Fault.RATE_LIMIT:
        answer = graph_error(429, 4, "(#4) Application request limit reached")
        answer.body["error"]["is_transient"] = True
        return _to_response(answer)
    if fault is Fault.REDIRECT_LOOP:
        return Response("", status=302, headers={"Location": request.full_path})
    if fault is Fault.SLOW_DRIP:  # headers at once, then a byte at a time: each read is quick
        return Response(
            _drip(b'{"data": {"is_valid": true}}' * 100), content_type="application/json"
        )
    if fault is Fault.HUGE:
        size = HUGE_BODY_BYTES
        return Response(_huge_json(size), content_type="application/json")
    if fault is Fault.DEEP:
        depth = 200_000
        return Response("[" * depth + "]" * depth, content_type="application/json")
    bodies = {
        Fault.BAD_GATEWAY: (502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
        Fault.HTML: (200, "<html><head><title>Proxy login</title></head></html>", "text/html"),
        Fault.TRUNCATED: (200, '{"data": {"app_id": "12', "application/json"),
        Fault.EMPTY: (200, "", "application/json"),
    }
    status, text, content_type = bodies[fault]
    return Response(text, status=status, content_type=content_type)
