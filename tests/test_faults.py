"""Bad input and misbehaving services give a finding with a remedy, a report and exit code 1:
never a crash, an INTERNALERROR or a traceback at the user. (Simulator faults such as timeouts,
5xx, HTML and truncated bodies, 429 and redirect loops are scenarios: test_suite_scenarios.py.)"""

from __future__ import annotations

import contextlib

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import CREDENTIAL_TABLE, fake_token, simulator_env
from wa_doctor import catalog
from wa_doctor.errors import ExplainError, GraphError
from wa_doctor.explain import parse
from wa_doctor.graph import GraphClient
from wa_doctor.redaction import Redactor
from wa_doctor.simulator.callback import closed_port
from wa_doctor.tokens import TokenInfo

NETWORK_FAULTS = {
    "connection refused": lambda server: f"http://127.0.0.1:{closed_port()}",
    "dns failure": lambda server: "http://graph.invalid",
    "tls error": lambda server: server.url.replace("http://", "https://"),
}


@pytest.mark.parametrize("fault", NETWORK_FAULTS, ids=list(NETWORK_FAULTS))
def test_network_faults_are_graph_unreachable(run_suite, graph_simulator, fault):
    server = graph_simulator("healthy")
    env = {**simulator_env(server), "WHATSAPP_GRAPH_URL": NETWORK_FAULTS[fault](server)}

    run = run_suite("--wa-timeout", "2", env=env)

    entry = run.with_finding("graph.unreachable")
    assert entry["remedy"]["steps"]
    assert run.exit_code == 1
    assert (run.directory / "reports" / "report.html").exists()
    assert "Traceback" not in run.stdout + run.stderr


def test_an_unknown_language_is_a_usage_error_naming_the_option(run_suite):
    run = run_suite("--wa-lang", "fr")
    assert run.exit_code == 4
    assert "--wa-lang" in run.stderr and "es, en" in run.stderr


def test_an_unreadable_env_local_is_a_warning_and_the_rest_still_runs(run_suite):
    token = fake_token()
    files = {
        ".env.local": b"WHATSAPP_ACCESS_TOKEN=" + token.encode() + b"\n\xff\xfe bad\n",
        ".env": "this is not dotenv\nWHATSAPP_PHONE_NUMBER_ID=123\n",
    }

    run = run_suite(files=files, secrets_to_check=(token,))

    entry = run.only("env_files_readable")
    assert entry["outcome"] == "warning"
    assert ".env.local: not UTF-8" in entry["message"]
    assert run.report["credentials"][0]["phone_number_id"] == "123"


def test_a_token_echoed_by_meta_never_reaches_an_artifact(run_suite, graph_simulator):
    server = graph_simulator("token-echoed-in-error")

    run = run_suite(env=simulator_env(server))  # run_suite greps every artifact for the token

    assert "Malformed access token" in run.with_finding("token.invalid")["message"]


# -- fuzzing the parsers of Meta's answers --------------------------------------------------------
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
ERRORISH = st.fixed_dictionaries(
    {
        "error": st.dictionaries(
            st.sampled_from(
                ["code", "error_subcode", "message", "type", "error_data", "fbtrace_id"]
            ),
            JSON,
            max_size=6,
        )
    }
)

CLIENT = GraphClient(
    "http://127.0.0.1:9", "v25.0", timeout=1, redactor=Redactor(), catalog=catalog.load()
)


@settings(max_examples=300, deadline=None)
@given(status=st.integers(100, 599), body=JSON | ERRORISH | st.binary(max_size=40))
@example(status=400, body=b'{"error": {"code": ' + b"9" * 5000 + b"}}")  # past int's digits
def test_any_answer_is_a_value_or_a_classified_graph_error(status, body):
    content = body if isinstance(body, bytes) else httpx.Response(200, json=body).content
    response = httpx.Response(status, content=content)
    try:
        result = CLIENT._parse(response, "fuzz")
    except GraphError as error:
        assert error.finding_id in catalog.load()
    else:
        assert isinstance(result, dict)


@settings(max_examples=300, deadline=None)
@given(data=JSON)
def test_any_debug_token_data_is_token_info_or_bad_response(data):
    try:
        info = TokenInfo.from_debug(data)
    except GraphError as error:
        assert error.finding_id == "graph.bad_response"
    else:
        assert isinstance(info.is_valid, bool)
        assert info.limited_wabas() is None or isinstance(info.limited_wabas(), tuple)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=60))
def test_explain_never_raises_anything_but_its_usage_error(text):
    with contextlib.suppress(ExplainError):
        assert isinstance(parse(text), list)


def test_verbose_output_with_locals_and_a_db_password_leaks_nothing(
    run_suite, graph_simulator, crm_database
):
    server = graph_simulator("session-logged-out")
    crm_database.add_credential(server.world.token, server.world.phone_number_id)
    env = {
        **simulator_env(server),
        "DATABASE_URL": crm_database.url + " password=pw-Zx81-secret",
        "WHATSAPP_APP_SECRET": "appsecret-0123456789abcdef",
    }

    run = run_suite(
        "-v",
        "-l",
        "-rA",
        "--tb=long",
        env=env,
        secrets_to_check=("pw-Zx81-secret", "appsecret-0123456789abcdef"),
    )

    assert run.with_finding("token.session_logged_out")
    assert "Environment" in run.html or "environment" in run.html


def _slow_view(db) -> str:
    db.execute(CREDENTIAL_TABLE)
    db.add_credential(fake_token())
    db.execute(
        "CREATE VIEW crm.slow AS SELECT c.* FROM crm.marketing_channel_credential c, pg_sleep(8)"
    )
    return db.url


def _without_column(db) -> str:
    db.execute(
        "CREATE SCHEMA crm; CREATE TABLE crm.marketing_channel_credential "
        "(id int, canal_tipo text, phone_number_id text, access_token text)"
    )
    return db.url


DATABASE_FAULTS = {
    "connection refused": (
        lambda db: f"postgresql://crm:pw@127.0.0.1:{closed_port()}/crm",
        (),
        "db.unreachable",
    ),
    "dns failure": (
        lambda db: "postgresql://crm:pw@db-host.invalid:5432/crm",
        (),
        "db.unreachable",
    ),
    "statement timeout": (
        _slow_view,
        ("--wa-db-table", "crm.slow", "--wa-timeout", "2"),
        "db.timeout",
    ),
    "missing schema": (lambda db: db.url, (), "db.table_missing"),
    "missing column": (_without_column, (), "db.column_missing"),
}


@pytest.mark.parametrize("fault", DATABASE_FAULTS, ids=list(DATABASE_FAULTS))
def test_database_faults_give_their_finding(run_suite, empty_database, fault):
    make_url, args, expected = DATABASE_FAULTS[fault]

    run = run_suite(*args, env={"DATABASE_URL": make_url(empty_database)})

    entry = run.with_finding(expected)
    assert entry["remedy"]["steps"]
    assert run.exit_code == 1
    assert (run.directory / "reports" / "report.html").exists()
    assert "Traceback" not in run.stdout + run.stderr
