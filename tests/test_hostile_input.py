"""The README's promises against hostile and careless input: no secret leaves the process whatever
pytest flag is used, ids are ids before they enter a URL, bad configuration is a finding or a
usage error, and foreign text is plain text. (Read-only: test_store.py; renewals:
test_renew_token.py.)"""

from __future__ import annotations

import json
import secrets
import string

import pytest

from conftest import fake_token, simulator_env
from wa_doctor.config import load_config
from wa_doctor.doctor import Doctor
from wa_doctor.errors import ConfigError
from wa_doctor.findings import Outcome
from wa_doctor.report import CheckRecord, Report
from wa_doctor.simulator.world import TokenError

DB_PASSWORD = "pw-" + secrets.token_hex(10)

PYTEST_FLAGS = {
    "debug log, setup plan, debug logging": ("--debug", "--setup-show", "--log-level=DEBUG"),
    "locals and full traces": ("-l", "--full-trace", "--tb=long", "-vv", "-rA"),
}


def plain_token(length: int = 180) -> str:
    """A token that is not shaped like Meta's (no EAA prefix): only knowing it redacts it."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


@pytest.mark.parametrize("flags", PYTEST_FLAGS.values(), ids=list(PYTEST_FLAGS))
def test_no_secret_in_any_file_the_run_writes_whatever_the_flags(run_suite, graph_simulator, flags):
    server = graph_simulator("session-logged-out")
    env = {
        **simulator_env(server),
        "DATABASE_URL": f"postgresql://crm:{DB_PASSWORD}@127.0.0.1:9/crm",
        "WHATSAPP_APP_ID": server.world.app_id,
        "WHATSAPP_APP_SECRET": server.world.app_secret,
    }

    run = run_suite(*flags, env=env, secrets_to_check=(DB_PASSWORD,))

    assert run.with_finding("token.session_logged_out")
    written = run.artifacts()
    if "--debug" in flags:
        assert "Doctor(" in written["pytestdebug.log"]  # the fixture's repr was logged …
        assert "EAAT" in written["pytestdebug.log"]  # … as a preview


def test_a_token_given_as_an_option_is_scrubbed_from_the_debug_log(run_suite, graph_simulator):
    server = graph_simulator("healthy")
    env = simulator_env(server)
    token = env.pop("WHATSAPP_ACCESS_TOKEN")

    run = run_suite("--debug", "--wa-access-token", token, env=env, secrets_to_check=(token,))

    assert run.exit_code == 0
    assert "--wa-access-token" in run.artifacts()["pytestdebug.log"]


def test_the_database_host_stays_visible_only_the_password_is_hidden(run_suite):
    url = f"postgresql://crm:{DB_PASSWORD}@db-host.invalid:6543/postgres"

    run = run_suite(env={"DATABASE_URL": url})

    message = run.with_finding("db.unreachable")["message"]
    assert "db-host.invalid" in message and "crm@db-host.invalid:6543/postgres" in message


@pytest.mark.parametrize(
    "password", ["Sup3r%Secret!2024", "my secret pass 2024", "p@ss/w0rd#99:x"], ids=str
)
def test_a_database_password_libpq_cannot_read_never_leaves_the_process(run_suite, password):
    url = f"postgresql://wa_user:{password}@db-host.invalid:5432/crm"

    run = run_suite(env={"DATABASE_URL": url}, secrets_to_check=(password,))

    entry = run.with_finding("db.unreachable")
    assert "needs percent-encoding (% as %25" in entry["message"]


# -- ids are ids --------------------------------------------------------------------------------
def test_a_token_pasted_as_phone_number_id_is_a_finding_and_never_shown(run_suite, graph_simulator):
    server = graph_simulator("healthy")
    pasted = plain_token()
    env = {**simulator_env(server), "WHATSAPP_PHONE_NUMBER_ID": pasted}

    run = run_suite("-v", "--wa-lang", "en", env=env, secrets_to_check=(pasted,))

    entry = run.with_finding("config.malformed_phone_number_id")
    assert "looks like an access token" in entry["message"]
    assert entry["credential"] == "env-bad-phone-id"
    assert run.only("phone_number_exists")["outcome"] == "skipped"
    assert not [s for s in server.seen if pasted[:12] in s.path]


def test_a_database_column_holding_the_token_is_not_used_as_phone_number_id(
    run_suite, graph_simulator, crm_database
):
    server = graph_simulator("healthy")
    crm_database.add_credential(server.world.token, server.world.phone_number_id)
    env = {"WHATSAPP_GRAPH_URL": server.url, "DATABASE_URL": crm_database.url}

    run = run_suite(
        "--wa-db-columns",
        "phone_number_id=access_token",
        "--wa-lang",
        "en",
        env=env,
        secrets_to_check=(server.world.token,),
    )

    entry = run.with_finding("config.malformed_phone_number_id")
    assert "looks like an access token" in entry["message"]
    assert [c["label"] for c in run.report["credentials"]] == ["db1-bad-phone-id"]


@pytest.mark.parametrize(
    "phone_number_id",
    ["../../v25.0/me/feed?message=hi&", "123/../../oauth/access_token#"],
    ids=["another endpoint", "oauth endpoint"],
)
def test_a_path_in_the_phone_number_id_never_reaches_the_graph_api(
    run_suite, graph_simulator, phone_number_id
):
    server = graph_simulator("healthy")
    env = {**simulator_env(server), "WHATSAPP_PHONE_NUMBER_ID": phone_number_id}

    run = run_suite("--wa-send-to", "+15550001111", "--wa-lang", "en", env=env)

    entry = run.with_finding("config.malformed_phone_number_id")
    assert "looks like a URL or a path" in entry["message"]
    assert [s.method for s in server.seen if s.method != "GET"] == []  # nothing was sent
    assert not [s.path for s in server.seen if "feed" in s.path or "oauth" in s.path]
    assert run.only("template_send")["message"] == "blocked by config.malformed_phone_number_id"


def test_a_padded_phone_number_id_is_reported_though_the_rest_runs(run_suite, graph_simulator):
    server = graph_simulator("healthy")
    env = {
        **simulator_env(server),
        "WHATSAPP_PHONE_NUMBER_ID": f" {server.world.phone_number_id}\n",
    }

    run = run_suite("--wa-lang", "en", env=env)

    entry = run.with_finding("config.malformed_phone_number_id")
    assert "spaces or line breaks around it" in entry["message"]
    assert run.only("phone_number_exists")["outcome"] == "passed"


def test_a_waba_id_that_is_not_digits_is_a_finding_and_not_requested(run_suite, graph_simulator):
    server = graph_simulator("healthy")
    env = {**simulator_env(server), "WHATSAPP_BUSINESS_ACCOUNT_ID": "+1 555 010 0100"}

    run = run_suite("--wa-lang", "en", env=env)

    entry = run.with_finding("config.malformed_id")
    assert "WHATSAPP_BUSINESS_ACCOUNT_ID" in entry["message"]
    assert "looks like the visible phone number" in entry["message"]
    assert run.only("token_grants_waba")["message"] == "blocked by config.malformed_id"
    assert not [s for s in server.seen if "555" in s.path]


# -- bad configuration: a finding or a usage error -----------------------------------------------
@pytest.mark.parametrize(
    "graph_url",
    [
        "https://graph.facebook.com:443x",
        "http://[::1",
        "https://graph.facebook.com:443:444",
        "https://user:secret-in-url@graph.facebook.com",
    ],
    ids=["bad port", "unclosed bracket", "two ports", "user and password"],
)
def test_a_malformed_graph_url_is_a_finding_with_the_report_written(run_suite, graph_url):
    token = fake_token()

    run = run_suite(
        "-l", "--full-trace", env={"WHATSAPP_ACCESS_TOKEN": token, "WHATSAPP_GRAPH_URL": graph_url}
    )

    assert run.exit_code == 1
    assert run.with_finding("config.invalid_graph_url")["outcome"] == "failed"
    assert "secret-in-url" not in "".join(run.artifacts().values())


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("concurrency", "50000", "from 1 to 64"),
        ("timeout", "0.0001", "from 1 to 600 seconds"),
        ("timeout", "nan", "from 1 to 600 seconds"),
        ("send_to", "abc", "international form"),
    ],
)
def test_out_of_bounds_settings_are_usage_errors_that_say_the_bound(tmp_path, option, value, says):
    with pytest.raises(ConfigError, match=says):
        load_config({option: value}, {}, tmp_path)


def test_a_recipient_is_kept_as_digits(tmp_path):
    assert load_config({"send_to": "+1 (555) 000-1111"}, {}, tmp_path).send_to == "+15550001111"


def test_usage_errors_never_echo_a_token(run_suite):
    token = plain_token()

    run = run_suite("--wa-simulate", token, env={"WHATSAPP_ACCESS_TOKEN": token})
    unknown = plain_token(90)
    alone = run_suite("--wa-simulate", unknown, secrets_to_check=(unknown,))

    assert run.exit_code == alone.exit_code == 4
    assert "unknown scenario" in run.stderr and "unknown scenario" in alone.stderr


def test_a_report_folder_under_a_file_is_a_usage_error_naming_it(run_suite, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")

    run = run_suite("--wa-report-dir", str(blocker / "reports"))

    assert run.exit_code == 4
    assert f"cannot create {blocker / 'reports'}" in run.stderr


# -- the deadline holds, answers are bounded, foreign text is plain ------------------------------
@pytest.mark.parametrize(
    ("scenario", "finding"),
    [
        ("graph-slow-drip", "graph.timeout"),
        ("graph-huge-answer", "graph.bad_response"),
        ("graph-deep-json", "graph.bad_response"),
    ],
)
def test_answers_that_never_end_or_never_fit_are_findings_in_time(
    run_suite, graph_simulator, scenario, finding
):
    # The slow drip sends its answer a byte every 0.25 s (700 s in all), the huge one 64 MiB,
    # the deep one 200,000 levels: a finding, and not run_suite's own time-out, means the
    # doctor's deadline and limits cut them short (no wall-clock bound: a loaded machine
    # stretches every run).
    server = graph_simulator(scenario)

    run = run_suite("--wa-timeout", "2", env=simulator_env(server))

    assert run.with_finding(finding)["outcome"] == "failed"
    assert run.exit_code == 1


WORKFLOW_COMMANDS = "\n::error title=Fine::All checks passed\n::stop-commands::x\r\n::add-mask::y"


def test_meta_s_words_never_start_a_line_where_ci_reads_workflow_commands(
    run_suite, graph_simulator
):
    server = graph_simulator("terminal-escape-in-error")
    main = server.world.tokens[server.world.token]
    main.error = TokenError(190, None, f"Invalid OAuth access token.{WORKFLOW_COMMANDS}")

    run = run_suite("-rA", "--tb=long", env=simulator_env(server))

    assert "All checks passed" in run.with_finding("token.invalid")["message"]
    for name, text in run.artifacts().items():
        starts = [line for line in text.split("\n") if line.lstrip(' "').startswith("::")]
        assert not starts, f"a line of {name} starts a workflow command: {starts[0]!r}"


def test_report_json_stays_json_whatever_a_message_quotes(tmp_path):
    doctor = Doctor.create(load_config({}, {}, tmp_path))
    report = Report(doctor)
    proxy_page = '<a href="https://graph.facebook.com/debug_token?input_token=x">502</a> \\ "'
    report.add(CheckRecord("token_valid", "t", None, Outcome.FAILED, None, proxy_page))

    report.write_json(tmp_path / "report.json")

    (check,) = json.loads((tmp_path / "report.json").read_text("utf-8"))["checks"]
    assert check["message"].startswith('<a href="https://graph.facebook.com/debug_token?')
    assert "input_token=[redacted]" in check["message"]
    doctor.close()


def test_escape_sequences_from_meta_never_reach_the_terminal_or_reports(run_suite, graph_simulator):
    server = graph_simulator("terminal-escape-in-error")

    run = run_suite("-rA", env=simulator_env(server))

    entry = run.with_finding("token.invalid")
    assert "ALL CHECKS PASSED" in entry["message"]  # the text stays, as text
    # run_suite has already asserted that no ESC byte (raw or JSON-escaped) is in any artifact


# -- ordinary mistakes are findings or usage errors, never a traceback --------------------------
@pytest.mark.parametrize(
    ("variable", "value"),
    [("ALL_PROXY", "socks5://u:proxy-pass-1234@127.0.0.1:9"), ("HTTPS_PROXY", "http://u:p@[::1")],
    ids=["socks without socksio", "malformed url"],
)
def test_proxy_settings_httpx_cannot_use_are_a_usage_error(run_suite, variable, value):
    run = run_suite(env={variable: value}, secrets_to_check=("proxy-pass-1234",))

    assert run.exit_code == 4
    assert f"the proxy settings cannot be used ({variable})" in run.stderr
    assert "INTERNALERROR" not in run.stdout + run.stderr


def test_an_invisible_character_in_the_token_is_one_finding_that_blocks_graph(
    run_suite, graph_simulator
):
    server = graph_simulator("healthy")
    env = simulator_env(server)
    token = env["WHATSAPP_ACCESS_TOKEN"]
    env["WHATSAPP_ACCESS_TOKEN"] = token[:20] + "\u200b" + token[20:]

    run = run_suite("--wa-lang", "en", env=env, secrets_to_check=(token,))

    assert "config.malformed_token" in run.findings("failed")
    assert "doctor.internal_error" not in run.findings("failed")
    assert run.only("token_valid")["outcome"] == "skipped"


def test_a_lone_surrogate_from_meta_is_dropped_and_every_report_written(run_suite, graph_simulator):
    server = graph_simulator("terminal-escape-in-error")
    main = server.world.tokens[server.world.token]
    main.error = TokenError(190, None, "Invalid OAuth access token \ud800 (lone)")

    run = run_suite(env=simulator_env(server))

    assert "(lone)" in run.with_finding("token.invalid")["message"]
    assert "<html" in run.html and "wa-header" in run.html


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("postgresql://crm:p ss word1@127.0.0.1:1/db", "p ss word1"),
        ("postgresql://crm:pa'sswd7x@127.0.0.1:1/db", "pa'sswd7x"),
        ("postgresql://crm:pa<sswd7x>@127.0.0.1:1/db", "pa<sswd7x>"),
        ("postgresql://crm@127.0.0.1:1/db?password=hunter2hunter2", "hunter2hunter2"),
        (
            "host=127.0.0.1 port=1 password=hunter2hunter2 dbname=x application_name=a://b",
            "hunter2hunter2",
        ),
        ("host=127.0.0.1 port=1 password='hunter2\\'hunter2' dbname=x", "hunter2'hunter2"),
    ],
    ids=["space", "quote", "angle brackets", "query parameter", "key=value with ://", "escaped"],
)
def test_a_database_password_never_reaches_the_debug_log(run_suite, url, password):
    run = run_suite("--debug", env={"DATABASE_URL": url}, secrets_to_check=(password,))

    assert "pytestdebug.log" in run.artifacts()
