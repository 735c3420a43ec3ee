"""Where Meta sends a number's webhooks, and Meta's verification handshake against the CRM's
endpoint: checked in-process against the simulator (its endpoint served over real HTTPS), and
once through the suite as a user runs it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from conftest import fake_token, simulator_env
from wa_doctor import handshake
from wa_doctor.checks import webhooks
from wa_doctor.config import load_config
from wa_doctor.doctor import Doctor
from wa_doctor.errors import NotApplicable
from wa_doctor.redaction import Redactor
from wa_doctor.simulator import GraphSimulator, build
from wa_doctor.simulator.callback import CA_FILE
from wa_doctor.simulator.scenarios import add_tenants
from wa_doctor.simulator.scenarios.webhooks import OLD_CALLBACK
from wa_doctor.simulator.world import Callback


@pytest.fixture
def doctor_for(tmp_path: Path):
    """A Doctor configured for a running simulator, as ``pytest diagnostics/`` would build it."""
    doctors: list[Doctor] = []

    def create(server: GraphSimulator, **options: object) -> Doctor:
        environ = simulator_env(server)
        environ.pop("SSL_CERT_FILE", None)  # trusted below, as --wa-simulate does
        config = load_config(options, environ, tmp_path)
        if server.callback is not None and server.callback.trusted:
            config = dataclasses.replace(config, trusted_ca=CA_FILE)
        doctor = Doctor.create(config)
        doctors.append(doctor)
        return doctor

    yield create
    for doctor in doctors:
        doctor.close()


def override_on_the_number(server: GraphSimulator, url: str) -> None:
    server.world.phones[server.world.phone_number_id].override_callback_uri = url


def test_an_override_on_the_number_wins_over_the_waba_and_the_app(graph_simulator, doctor_for):
    server = graph_simulator("webhook-override-waba")
    override_on_the_number(server, "https://number.example.com/hook")
    doctor = doctor_for(server)

    (found,) = webhooks.webhooks_override(doctor, doctor.credentials[0])

    assert found.id == "webhooks.override"
    assert found.params["level"] == ["override_phone_number"]
    assert found.params["override_url"] == "https://number.example.com/hook"
    assert found.params["app_url"] == server.world.callback_url


def test_a_waba_override_is_named_as_the_waba_s(graph_simulator, doctor_for):
    doctor = doctor_for(graph_simulator("webhook-override-waba"))

    (found,) = webhooks.webhooks_override(doctor, doctor.credentials[0])

    assert found.params["level"] == ["override_whatsapp_business_account"]
    assert found.params["override_url"] == OLD_CALLBACK


def test_an_override_equal_to_the_app_s_url_is_no_finding(graph_simulator, doctor_for):
    server = graph_simulator("healthy")
    server.world.wabas[server.world.waba_id].override_callback_uri = server.world.callback_url

    doctor = doctor_for(server)

    assert webhooks.webhooks_override(doctor, doctor.credentials[0]) == []


def test_the_handshake_is_opt_in_and_sends_nothing_without_it(graph_simulator, doctor_for):
    server = graph_simulator("webhook-handshake-ok")
    doctor = doctor_for(server, webhook_verify=False)

    with pytest.raises(NotApplicable) as skipped:
        webhooks.webhooks_handshake(doctor, doctor.credentials[0])

    assert skipped.value.reason == "skip_webhook_verify_off"
    assert server.callback is not None and server.callback.requests == 0


def test_the_handshake_needs_the_verify_token(graph_simulator, doctor_for):
    server = graph_simulator("webhook-handshake-ok")
    server.world.settings.pop("webhook_verify_token")

    doctor = doctor_for(server)

    with pytest.raises(NotApplicable, match="skip_no_verify_token"):
        webhooks.webhooks_handshake(doctor, doctor.credentials[0])


def test_one_handshake_per_callback_url_however_many_numbers_share_it(
    graph_simulator, doctor_for, crm_database
):
    server = graph_simulator("webhook-handshake-ok")
    server.world.waba_configured = False  # each business has its own WABA
    for token, phone_id in add_tenants(server.world, 3):
        crm_database.add_credential(token, phone_id)
    doctor = doctor_for(server, database_url=crm_database.url)

    results = [webhooks.webhooks_handshake(doctor, c) for c in doctor.credentials]

    assert len(doctor.credentials) == 4
    assert results == [[]] * 4
    assert server.callback is not None and server.callback.requests == 1


def test_the_handshake_follows_the_url_that_wins(graph_simulator, doctor_for):
    server = graph_simulator("webhook-handshake-ok")
    app_url = server.world.callback_url
    override_on_the_number(server, "http://127.0.0.1:9/old")
    doctor = doctor_for(server)

    (found,) = webhooks.webhooks_handshake(doctor, doctor.credentials[0])

    assert found.id == "webhooks.handshake_not_https"
    assert found.params["callback_url"] == "http://127.0.0.1:9/old" != app_url


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        (Callback.ECHO, None),
        (Callback.NO_ECHO, "webhooks.handshake_challenge"),
        (Callback.DOWN, "webhooks.handshake_unreachable"),
        (Callback.UNTRUSTED, "webhooks.handshake_bad_certificate"),
        (Callback.PLAIN_HTTP, "webhooks.handshake_not_https"),
    ],
)
def test_the_handshake_judges_the_answer_as_meta_does(behaviour, expected):
    world = build("healthy", token=fake_token())
    world.callback = behaviour
    secret = "verify-" + fake_token()
    world.verify_token = secret
    with GraphSimulator(world) as server:
        assert server.callback is not None
        trust = str(CA_FILE) if server.callback.trusted else None

        result = handshake.verify(
            world.callback_url, secret, Redactor([secret]), trust=trust, local_graph=True
        )

    assert result.finding == expected
    assert secret not in repr(result)


@pytest.mark.parametrize("secret", ["hola123", "my secret/token+x&y=z", "clave-ñandú-€"])
def test_an_endpoint_echoing_the_verify_token_never_gets_it_into_the_finding(secret):
    world = build("healthy", token=fake_token())
    world.callback = Callback.ECHO_QUERY
    world.verify_token = secret
    with GraphSimulator(world) as server:
        assert server.callback is not None

        result = handshake.verify(
            world.callback_url, secret, Redactor([secret]), trust=str(CA_FILE), local_graph=True
        )

    assert result.finding == "webhooks.handshake_challenge"
    shown = repr(result)
    assert result.params["body"].endswith(" bytes>"), "an answer holding the token is not shown"
    for form in {secret, quote(secret, safe=""), quote_plus(secret), quote(secret, safe="/")}:
        assert form not in shown


@pytest.mark.parametrize(
    ("answer", "secret"),
    [
        (r'{"token": "wh\/secret\/verify-tok"}', "wh/secret/verify-tok"),  # PHP's json_encode
        ("it&#39;s my verify token", "it's my verify token"),  # a template's escaping
        ("expected: my webhook verify to...", "my webhook verify token"),  # cut short
        ("token-pw-", "-pw-"),  # too few letters to look for
        ("abcdefgabcdefg", "abcdefg"),  # twice
    ],
)
def test_an_answer_that_may_hold_the_token_in_any_encoding_is_not_quoted(answer, secret):
    assert handshake.may_hold(answer, secret)
    assert not handshake.may_hold('{"hub.challenge": "1234567890"}', "a-verify-token-123")


def test_a_verify_token_too_short_to_search_for_gets_none_of_the_answer_shown():
    world = build("healthy", token=fake_token())
    world.callback = Callback.ECHO_QUERY
    world.verify_token = "abc"
    with GraphSimulator(world) as server:
        assert server.callback is not None

        result = handshake.verify(
            world.callback_url, "abc", Redactor(["abc"]), trust=str(CA_FILE), local_graph=True
        )

    assert result.finding == "webhooks.handshake_challenge"
    assert result.params["body"].endswith(" bytes>") and "abc" not in repr(result)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254", "[::1]", "192.168.0.10"]
)
def test_a_callback_on_a_private_address_gets_no_request_and_no_token(graph_simulator, host):
    server = graph_simulator("webhook-handshake-ok")
    assert server.callback is not None
    port = server.world.callback_url.split(":")[2].split("/")[0]

    result = handshake.verify(f"https://{host}:{port}/hook", "a-verify-token", Redactor())

    assert result.finding == "webhooks.handshake_private_address"
    assert result.params["address"] in ("127.0.0.1", "::1", host.strip("[]"))
    assert server.callback.requests == 0, "nothing reached the endpoint"


def test_the_request_goes_to_the_address_that_was_checked(graph_simulator, monkeypatch):
    server = graph_simulator("webhook-handshake-ok")
    assert server.callback is not None
    port = server.world.callback_url.split(":")[2].split("/")[0]
    checked = []

    def public(host: str, port: int, limit: float) -> str:
        checked.append(host)
        return "127.0.0.1"  # as if the name had resolved to a public address

    monkeypatch.setattr(handshake, "public_address", public)

    result = handshake.verify(
        f"https://crm.invalid:{port}/hook", "a-verify-token", Redactor(), trust=str(CA_FILE)
    )

    # the name cannot be resolved: only the checked address could have been reached, and its
    # certificate was checked against the name, as Meta checks it
    assert checked == ["crm.invalid"]
    assert result.finding == "webhooks.handshake_bad_certificate", result


def test_a_wrong_verify_token_is_the_endpoint_s_refusal(graph_simulator):
    server = graph_simulator("webhook-handshake-ok")

    result = handshake.verify(
        server.world.callback_url,
        "someone-else-s-token",
        Redactor(),
        trust=str(CA_FILE),
        local_graph=True,
    )

    assert (result.finding, result.params) == ("webhooks.handshake_status", {"status": "403"})


def test_a_slow_endpoint_is_cut_at_the_limit(graph_simulator):
    server = graph_simulator("webhook-slow")

    result = handshake.verify(
        server.world.callback_url,
        server.world.verify_token,
        Redactor(),
        limit=0.5,
        trust=str(CA_FILE),
        local_graph=True,
    )

    # the endpoint answers after 3.5 s: a finding at the 0.5 s limit means it was cut there
    assert (result.finding, result.params) == ("webhooks.handshake_slow", {"seconds": "0.5"})


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:99999/hook",
        "https://",
        "ftp://example.com/hook",
        "https:///nohost",
        "https://no-such-host.invalid/hook",
    ],
)
def test_a_callback_url_meta_could_not_use_is_a_finding_not_a_crash(url):
    result = handshake.verify(url, "a-verify-token", Redactor(), limit=0.5)

    # a name no resolver answers for in time is as slow as an endpoint that never answers
    unusable = ("webhooks.handshake_not_https", "webhooks.handshake_unreachable")
    assert result.finding in (*unusable, "webhooks.handshake_slow")


def test_a_query_in_the_callback_url_is_not_shown():
    assert handshake.shown_url("https://crm.example.com:8443/hook?key=s3cr3t") == (
        "https://crm.example.com:8443/hook"
    )


def test_a_healthy_endpoint_passes_through_the_suite_and_its_token_stays_inside(
    run_suite, graph_simulator
):
    server = graph_simulator("webhook-handshake-ok")
    env = simulator_env(server)

    run = run_suite(env=env, secrets_to_check=(env["WHATSAPP_WEBHOOK_VERIFY_TOKEN"],))

    assert run.exit_code == 0, run.stdout
    assert run.only("webhooks_handshake")["outcome"] == "passed"
    assert run.only("webhooks_override")["outcome"] == "passed"


@pytest.mark.parametrize("secret", ["hola123", "my secret/token+x&y=z"])
def test_a_verify_token_echoed_back_never_reaches_an_artifact_of_the_run(
    run_suite, graph_simulator, secret
):
    server = graph_simulator("webhook-handshake-ok")
    server.world.callback = Callback.ECHO_QUERY
    server.world.verify_token = secret
    env = {**simulator_env(server), "WHATSAPP_WEBHOOK_VERIFY_TOKEN": secret}

    run = run_suite("-rA", "--wa-lang", "en", env=env, secrets_to_check=(secret,))

    assert " bytes>" in run.with_finding("webhooks.handshake_challenge")["message"]
