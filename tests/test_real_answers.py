"""Answers Meta really gave, recorded by others (``tests/fixtures/real/``, each citing its
source), replayed over real HTTP: the doctor must read them as Meta meant them, not as our own
simulator believes Meta answers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from conftest import fake_token
from wa_doctor import catalog
from wa_doctor.checks import phone as phone_checks
from wa_doctor.checks.prerequisites import PHONE_FIELDS, PHONE_NODE, field_lacking
from wa_doctor.errors import GraphApiError
from wa_doctor.graph import GraphClient
from wa_doctor.redaction import Redactor

REAL = Path(__file__).parent / "fixtures" / "real"


def recorded(name: str) -> dict[str, Any]:
    recording = json.loads((REAL / name).read_text("utf-8"))
    assert recording["source"], "a recording says where it comes from"
    return recording


@contextmanager
def replaying(recording: dict[str, Any]) -> Iterator[str]:
    """A server on 127.0.0.1 answering every request with the recorded response."""
    response = recording["response"]
    body = response["body"].encode()

    class Replay(BaseHTTPRequestHandler):
        def answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(response["status"])
            for name, value in response["headers"].items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("name", "asked", "served", "warning"),
    [
        (
            "ruby_whatsapp_sdk-v19-auto-upgraded.json",
            "v19.0",
            "v24.0",
            "The call has been auto-upgraded to v24.0 as v19.0 has been deprecated.",
        ),
        (
            "ava_saas-v20-upgraded-early.json",
            "v20.0",
            "v22.0",
            "The call has been auto-upgraded to v22.0 as v20.0 will be deprecated.",
        ),
    ],
)
def test_a_call_meta_upgraded_is_diagnosed_from_the_answer_s_headers(
    diagnose, name, asked, served, warning
):
    token = fake_token()
    with replaying(recorded(name)) as url:
        run = diagnose(
            env={
                "WHATSAPP_GRAPH_URL": url,
                "WHATSAPP_API_VERSION": asked,
                "WHATSAPP_ACCESS_TOKEN": token,
                "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
            },
            options={"lang": "en"},
            secrets_to_check=(token,),
        )

    entry = run.with_finding("api.auto_upgraded")
    assert f"The CRM calls {asked}, and Meta answered with {served}" in entry["message"]
    assert f"Meta: «{warning}»" in entry["message"]
    assert run.only("api_version_supported")["outcome"] == "failed"


def test_an_error_answer_still_tells_the_version_that_answered_it():
    with replaying(recorded("ava_saas-v20-upgraded-early.json")) as url:
        client = GraphClient(url, "v20.0", timeout=5, redactor=Redactor(), catalog=catalog.load())
        try:
            with pytest.raises(GraphApiError) as refused:
                client.request("POST", "106540352242922/messages", fake_token(), json_body={})
            seen = client.served_version("v20.0")
        finally:
            client.close()

    assert refused.value.finding_id == "phone.unsupported_request"
    assert (seen.asked, seen.served, seen.upgraded) == ("v20.0", "v22.0", True)
    assert seen.warning.endswith("as v20.0 will be deprecated.")


def _read_phone(recording: str) -> dict[str, Any]:
    with replaying(recorded(recording)) as url:
        client = GraphClient(url, "v21.0", timeout=5, redactor=Redactor(), catalog=catalog.load())
        try:
            return client.request("GET", "1190244884170604", fake_token(), {"fields": PHONE_FIELDS})
        finally:
            client.close()


def test_a_real_number_s_answer_says_it_is_not_shared_with_the_business_app():
    phone = _read_phone("smsmarica-phone-number-not-on-biz-app.json")

    assert phone["is_on_biz_app"] is False, "a boolean, as coexistence's check reads it"
    assert phone_checks.throughput_terms(phone) == ["throughput_STANDARD"]
    assert phone_checks.throughput_terms({**phone, "is_on_biz_app": True}) == [
        "throughput_coexistence"
    ]


def test_a_field_an_older_version_lacks_is_named_from_meta_s_real_refusal():
    with pytest.raises(GraphApiError) as refused:
        _read_phone("smsmarica-phone-field-nonexisting.json")

    assert field_lacking(refused.value, PHONE_NODE) == "search_visibility"
    assert field_lacking(refused.value, "WhatsAppBusinessAccount") is None, "a wrong id"
