"""``appsecret_proof``: the doctor adds one to every call when WHATSAPP_APP_SECRET is set. Meta
refuses a proof made with another app's secret on any call, and requires one when the app has
"Require App Secret" on. A wrong secret must cost one finding, not the whole diagnosis."""

from __future__ import annotations

import pytest

from wa_doctor.catalog import load
from wa_doctor.errors import GraphApiError
from wa_doctor.explain import explain, parse
from wa_doctor.graph import GraphClient
from wa_doctor.redaction import Redactor

CATALOG = load()
WRONG_SECRET = "0" * 32


@pytest.fixture
def client_for():
    clients: list[GraphClient] = []

    def create(server, app_secret: str | None) -> GraphClient:
        client = GraphClient(
            server.url,
            "v25.0",
            timeout=5,
            redactor=Redactor(),
            catalog=CATALOG,
            app_secret=app_secret,
        )
        clients.append(client)
        return client

    yield create
    for client in clients:
        client.close()


def read_phone(client: GraphClient, world) -> dict:
    return client.request("GET", world.phone_number_id, world.token, {"fields": "status"})


def test_a_proof_made_with_another_secret_is_dropped_after_one_refusal(graph_simulator, client_for):
    server = graph_simulator("healthy")
    client = client_for(server, WRONG_SECRET)

    first, second = read_phone(client, server.world), read_phone(client, server.world)

    assert first == second and first["status"] == "CONNECTED"
    assert [s.status for s in server.seen] == [400, 200, 200], "refused once, then asked plainly"


def test_an_app_that_requires_the_proof_gets_it_made_with_its_secret(graph_simulator, client_for):
    server = graph_simulator("app-secret-required")

    answer = read_phone(client_for(server, server.world.app_secret), server.world)

    assert answer["status"] == "CONNECTED"
    assert [s.status for s in server.seen] == [200]


@pytest.mark.parametrize("secret", [None, WRONG_SECRET], ids=["no secret", "another secret"])
def test_an_app_that_requires_the_proof_without_a_usable_secret_is_one_finding(
    graph_simulator, client_for, secret
):
    server = graph_simulator("app-secret-required")

    with pytest.raises(GraphApiError) as raised:
        read_phone(client_for(server, secret), server.world)

    assert raised.value.finding_id == "graph.appsecret_proof_required"
    assert raised.value.code == 100


def test_a_refused_proof_on_the_opt_in_send_sends_the_message_once(graph_simulator, client_for):
    """Meta refuses the proof before it does anything, so asking again sends nothing twice."""
    server = graph_simulator("healthy")
    client = client_for(server, WRONG_SECRET)
    world = server.world
    body = {
        "messaging_product": "whatsapp",
        "to": "15550001111",
        "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }

    answer = client.request(
        "POST", f"{world.phone_number_id}/messages", world.token, json_body=body
    )

    assert answer["messages"][0]["id"].startswith("wamid.")
    assert [s.status for s in server.seen] == [400, 200]


def test_explain_names_the_required_proof_from_metas_words():
    logged = (
        '{"error": {"message": "API calls from the server require an appsecret_proof argument",'
        ' "type": "GraphMethodException", "code": 100, "fbtrace_id": "AbC"}}'
    )

    (facts,) = parse(logged)

    assert explain(facts, "en").id == "graph.appsecret_proof_required"
    assert CATALOG.for_graph_error(100, None, "Unsupported get request.") != (
        "graph.appsecret_proof_required"
    )
