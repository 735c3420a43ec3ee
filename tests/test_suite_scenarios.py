"""Every simulator scenario, run through the suite, reports exactly the finding it stands for,
with its remedy in the HTML, the right exit code, and no token text in any artifact."""

from __future__ import annotations

import json
import re

import pytest

from conftest import simulator_env
from wa_doctor.catalog import load
from wa_doctor.findings import Severity
from wa_doctor.markup import inline
from wa_doctor.registry import load_all
from wa_doctor.simulator import SCENARIOS

CATALOG = load()
CHECKS = load_all()
OUTCOME_OF = {Severity.ERROR: "failed", Severity.WARNING: "warning", Severity.INFO: "passed"}


TOKEN_SHAPE = re.compile(r"EAA[A-Za-z0-9]{30,}")
"""What the simulator's tokens look like; the run never learns them, so none may be printed."""


@pytest.mark.parametrize("name", [n for n, s in SCENARIOS.items() if s.finding], ids=str)
def test_each_scenario_reports_its_finding_with_its_remedy_and_no_token(diagnose, name):
    expected = SCENARIOS[name].finding

    run = diagnose(name)

    entry = run.with_finding(expected)
    severity = CATALOG.severity(expected)
    assert entry["outcome"] == OUTCOME_OF[severity]
    assert run.exit_code == (1 if severity is Severity.ERROR else 0)
    declared = CHECKS[entry["id"]].raises
    assert expected in declared or expected.startswith("graph."), (entry["id"], declared)
    remedy = entry["remedy"]
    first = remedy["steps"][0] if remedy["steps"] else remedy["procedures"][0]["steps"][0]
    assert inline(first) in run.html
    failed = set(run.findings("failed"))
    assert failed <= {expected}, f"one root cause, one failure: {failed}"
    for where, text in run.texts().items():
        assert not TOKEN_SHAPE.search(text), f"a token-shaped value in {where}"


AS_THE_README_SHOWS = ["session-logged-out", "display-name-declined", "window-closed", "graph-html"]
"""An error, a warning, one that needs its settings (an opt-in send) and a fault of Meta's:
run as a user runs them, they must say what the same diagnosis in this process says."""


@pytest.mark.parametrize("name", AS_THE_README_SHOWS)
def test_a_scenario_run_as_the_readme_shows_finds_what_the_diagnosis_finds(
    run_suite, diagnose, name
):
    run = run_suite("--wa-simulate", name)

    def found(report):
        return sorted((c["id"], c["outcome"], c["finding"]) for c in report["checks"])

    assert found(run.report) == found(diagnose(name).report)
    severity = CATALOG.severity(SCENARIOS[name].finding)
    assert run.exit_code == (1 if severity is Severity.ERROR else 0), run.stdout
    remedy = run.with_finding(SCENARIOS[name].finding)["remedy"]
    first = remedy["steps"][0] if remedy["steps"] else remedy["procedures"][0]["steps"][0]
    assert inline(first) in run.html
    for artifact, text in run.artifacts().items():
        assert not TOKEN_SHAPE.search(text), f"a token-shaped value in {artifact}"


def test_scenario_settings_reach_the_suite_through_the_environment_too(diagnose, graph_simulator):
    server = graph_simulator("window-closed")

    run = diagnose(env=simulator_env(server))

    assert run.with_finding("messaging.window_24h")["outcome"] == "failed"


def test_healthy_scenario_passes_every_check_it_can_run(diagnose, graph_simulator):
    server = graph_simulator("healthy")

    run = diagnose(env=simulator_env(server))

    assert run.exit_code == 0, run.findings()
    assert run.report["summary"]["failed"] == 0
    assert run.report["summary"]["warnings"] == 0
    outcomes = {c["id"]: c["outcome"] for c in run.report["checks"]}
    for check in (
        "token_valid",
        "token_permanent",
        "token_scopes",
        "token_grants_waba",
        "token_not_expiring_soon",
        "api_version_supported",
    ):
        assert outcomes[check] == "passed", check


def test_a_dead_token_blocks_the_checks_that_need_it(diagnose, graph_simulator):
    server = graph_simulator("session-logged-out")

    run = diagnose(env=simulator_env(server))

    for check in ("token_permanent", "token_scopes", "token_grants_waba"):
        entry = run.only(check)
        assert entry["outcome"] == "skipped"
        assert entry["message"] == "bloqueada por token.session_logged_out"


def test_session_logged_out_shows_both_fixes_of_the_guide(diagnose, graph_simulator):
    server = graph_simulator("session-logged-out")

    run = diagnose(env=simulator_env(server), options={"lang": "en"})

    remedy = run.with_finding("token.session_logged_out")["remedy"]
    titles = [p["title"] for p in remedy["procedures"]]
    assert "Quick fix: temporary token (lasts about 24 hours)" in titles
    assert "Permanent fix: a System User token that does not expire" in titles
    sql = "\n".join(p["sql"] or "" for p in remedy["procedures"])
    assert "UPDATE crm.marketing_channel_credential" in sql
    assert "substring(access_token, 1, 20)" in sql


def test_the_guides_api_version_is_a_warning_today(diagnose, graph_simulator):
    server = graph_simulator("healthy")
    env = {**simulator_env(server), "WHATSAPP_API_VERSION": "v21.0"}

    run = diagnose(env=env)

    entry = run.with_finding("api.version_ending")
    assert "2027-01-21" in entry["remedy"]["title"] + entry["message"]
    assert run.exit_code == 0
    assert all(s.path.startswith("/v21.0/") for s in server.seen), "v21.0 is still served"


def test_a_retired_version_is_asked_once_and_meta_says_what_answers_it(diagnose, graph_simulator):
    server = graph_simulator("api-version-retired")

    run = diagnose(env=simulator_env(server), options={"lang": "en"})

    entry = run.with_finding("api.auto_upgraded")
    asked_meta = [s.path for s in server.seen if not s.path.startswith("/v25.0/")]
    assert asked_meta == ["/v20.0/debug_token"], "one call, to learn what Meta serves instead"
    newest = max(CATALOG.api_versions, key=lambda v: v.released).name
    assert f"calls v20.0, and Meta answered with {newest}" in entry["message"]
    assert (
        f"«The call has been auto-upgraded to {newest} as v20.0 has been deprecated.»"
        in (entry["message"])
    )
    assert "api.version_unsupported" not in run.findings(), "one cause, one finding"


def test_meta_upgrading_a_version_its_table_still_serves_is_found(diagnose, graph_simulator):
    server = graph_simulator("api-version-upgraded-early")

    run = diagnose(env=simulator_env(server), options={"lang": "en"})

    entry = run.with_finding("api.auto_upgraded")
    assert "calls v22.0, and Meta answered with v25.0" in entry["message"]
    assert "as v22.0 will be deprecated" in entry["message"]
    assert "Meta: «" in entry["message"] and "{" not in entry["message"]
    assert all(s.path.startswith("/v22.0/") for s in server.seen), "its own answers told"


def test_without_meta_s_version_header_the_table_decides(diagnose, graph_simulator):
    server = graph_simulator("api-version-unsupported")

    run = diagnose(env=simulator_env(server), options={"lang": "en"})

    entry = run.with_finding("api.version_unsupported")
    assert "(2026-09-24)" in entry["message"]
    assert "api.auto_upgraded" not in run.findings()


@pytest.mark.parametrize(
    ("version", "finding", "says"),
    [
        ("v17.0", "api.version_unsupported", "(≤ 2026-01-26)"),
        ("v20.0", "api.version_unsupported", "(2026-09-24)"),
        ("v2x", "api.version_invalid", "is not a Graph API version"),
        ("21.0", "api.version_invalid", "is not a Graph API version"),
    ],
)
def test_a_retired_version_is_unsupported_and_only_garbage_is_invalid(
    diagnose, version, finding, says
):
    run = diagnose(env={"WHATSAPP_API_VERSION": version}, options={"lang": "en"})

    entry = run.with_finding(finding)
    assert says in entry["message"]
    assert "{" not in entry["message"]


def test_app_token_is_the_debug_token_caller_when_configured(diagnose, graph_simulator):
    server = graph_simulator("expired")
    world = server.world
    env = {
        **simulator_env(server),
        "WHATSAPP_APP_ID": world.app_id,
        "WHATSAPP_APP_SECRET": world.app_secret,
    }

    run = diagnose(env=env)

    entry = run.with_finding("token.expired")
    assert "Session has expired on" in entry["message"]
    assert [s.caller for s in server.requests_to("/debug_token")] == ["app"]


@pytest.mark.parametrize("name", ["healthy", "session-logged-out"])
def test_wa_simulate_needs_no_configuration(run_suite, name):
    run = run_suite("--wa-simulate", name)

    assert run.exit_code == (0 if name == "healthy" else 1)
    if name == "session-logged-out":
        assert run.with_finding("token.session_logged_out")
    assert run.report["credentials"][0]["token_source"] == "simulator"


def test_wa_simulate_list_and_unknown_names(run_suite):
    listing = run_suite("--wa-simulate", "list")
    unknown = run_suite("--wa-simulate", "no-such-thing")

    assert listing.exit_code == 0
    assert "session-logged-out" in listing.stdout and "token.session_logged_out" in listing.stdout
    assert unknown.exit_code == 4
    assert "--wa-simulate" in unknown.stderr and "no-such-thing" in unknown.stderr


def test_nothing_is_sent_without_the_opt_in(diagnose, graph_simulator):
    server = graph_simulator("healthy")

    run = diagnose(env=simulator_env(server))

    assert server.requests_to("/messages") == []
    for check in ("template_send", "text_send"):
        entry = run.only(check)
        assert entry["outcome"] == "skipped"
        assert "--wa-send-to" in entry["message"]


def test_the_opt_in_send_reports_the_message_id(diagnose, graph_simulator):
    server = graph_simulator("healthy")

    run = diagnose(env=simulator_env(server), options={"send_to": "+15550001111"})

    entry = run.only("template_send")
    assert entry["outcome"] == "passed"
    assert entry["finding"] == "messaging.template_accepted"
    assert "wamid." in entry["remedy"]["title"] + json.dumps(entry["findings"])
    (sent,) = server.requests_to("/messages")
    assert sent.method == "POST"
    assert run.only("text_send")["outcome"] == "skipped", "text needs --wa-send-text too"


def test_window_closed_acceptance(diagnose):
    run = diagnose("window-closed", options={"send_to": "+15550001111", "send_text": True})

    entry = run.with_finding("messaging.window_24h")
    assert "plantilla" in entry["remedy"]["steps"][0]
    assert run.only("template_send")["outcome"] == "passed", "the template still goes out"


def test_a_wrong_phone_number_id_says_what_it_looks_like(diagnose, graph_simulator):
    server = graph_simulator("wrong-phone-number-id")

    run = diagnose(env=simulator_env(server), options={"lang": "en"})

    entry = run.with_finding("phone.unsupported_request")
    assert "WhatsApp Business Account (WABA) id" in entry["message"]
    assert run.only("phone_number_connected")["message"] == "blocked by phone.unsupported_request"
    said = entry["remedy"]["title"] + entry["message"]
    assert "post request" not in said, "the doctor reads (GET): Meta's message says the method"


def test_a_transient_rate_limit_is_retried_once_then_reported(diagnose, graph_simulator):
    server = graph_simulator("graph-rate-limited")

    run = diagnose(env=simulator_env(server))

    assert run.with_finding("graph.rate_limited")
    assert len(server.requests_to("/debug_token")) == 2


def test_the_run_deadline_bounds_a_hanging_api(diagnose, graph_simulator):
    server = graph_simulator("graph-timeout")

    run = diagnose(env=simulator_env(server), options={"timeout": "2"})

    # the API answers after 8 s, within one call's 10-second limit: only the run's 2-second
    # deadline makes it a timeout (no wall-clock bound here: a loaded machine stretches runs)
    assert run.with_finding("graph.timeout")


def test_the_expiry_warning_window_fits_the_token_unless_set(diagnose):
    fitted = diagnose("system-user-expiring", options={"lang": "en"})
    fixed = diagnose("system-user-expiring", options={"expiry_warning_days": "7", "lang": "en"})

    assert fitted.only("token_not_expiring_soon")["outcome"] == "warning"
    assert fixed.only("token_not_expiring_soon")["outcome"] == "passed"
    fact = fitted.only("token_permanent")
    assert (fact["outcome"], fact["finding"]) == ("passed", "token.system_user_expires")
    assert "a 60-day token" in fact["message"]


def test_meta_says_which_version_answers_a_retired_one(graph_simulator):
    from wa_doctor.graph import GraphClient
    from wa_doctor.redaction import Redactor

    server = graph_simulator("healthy")
    client = GraphClient(server.url, "v25.0", timeout=5, redactor=Redactor(), catalog=CATALOG)
    try:
        retired = client.ask_version("v17.0", server.world.token)
        current = client.ask_version("v25.0", server.world.token)
    finally:
        client.close()

    newest = max(CATALOG.api_versions, key=lambda v: v.released).name
    assert (retired.served, retired.upgraded) == (newest, True)
    assert retired.warning.endswith("as v17.0 has been deprecated.")
    assert (current.served, current.upgraded, current.warning) == ("v25.0", False, "")


def test_a_wrong_app_secret_does_not_pass_for_a_dead_token(diagnose):
    run = diagnose("wrong-app-secret", options={"lang": "en"})

    assert run.only("token_valid")["outcome"] == "passed"  # the token inspected itself
    entry = run.with_finding("webhooks.app_secret_wrong")
    assert "X-Hub-Signature-256" in entry["message"]


@pytest.mark.parametrize(
    ("scenario", "heading"), [("healthy", "Account facts"), ("expired", "What to fix")]
)
def test_a_healthy_run_has_nothing_to_fix_only_facts(diagnose, scenario, heading):
    run = diagnose(scenario, options={"lang": "en"})

    header = run.html.split("</header>", 1)[0]
    assert f"<h2>{heading}</h2>" in header
    assert header.count("<h2>What to fix</h2>") == (heading == "What to fix")


@pytest.mark.parametrize(
    ("scenario", "said", "not_said_again"),
    [
        ("temporary-token", "token.temporary", "token.expiring_soon"),
        ("phone-flagged", "phone.flagged", "phone.quality_low"),
    ],
)
def test_one_cause_is_one_finding(diagnose, scenario, said, not_said_again):
    run = diagnose(scenario)

    assert said in run.findings() and not_said_again not in run.findings()


def test_a_131030_to_an_argentinian_mobile_names_the_number_without_whatsapp_s_9(diagnose):
    run = diagnose("recipient-not-allowed-argentina", options={"lang": "en"})

    entry = run.with_finding("messaging.recipient_not_allowed")
    assert "has the 9 WhatsApp adds to mobiles in Argentina" in entry["message"]
    assert "send to +541123456789" in entry["message"]


def test_a_version_without_is_on_biz_app_still_reads_the_number(diagnose):
    run = diagnose("phone-field-unknown")

    assert run.only("phone_number_connected")["outcome"] == "passed"
    skipped = run.only("phone_number_coexistence")
    assert skipped["outcome"] == "skipped" and "is_on_biz_app" in skipped["message"]
    assert run.findings("failed") == [] and "phone.unsupported_request" not in run.findings()


def test_a_number_shared_with_the_business_app_sends_20_messages_a_second(diagnose):
    run = diagnose("coexistence", options={"lang": "en"})

    assert "up to 20 messages per second" in run.with_finding("phone.messaging_limit")["message"]
    assert "smb_message_echoes" in run.with_finding("phone.coexistence")["message"]
    assert run.only("webhooks_coexistence_fields")["outcome"] == "skipped", "no app secret"


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ("US.13491208655302741918", "recipient"),
        ("US.ENT.1181579921", "recipient"),
        ("+34 600 000 111", "to"),
    ],
)
def test_a_business_scoped_user_id_is_sent_in_recipient_and_a_number_in_to(given, field):
    from wa_doctor.checks.messaging import _addressed
    from wa_doctor.settings import SETTINGS_BY_NAME

    parsed = SETTINGS_BY_NAME["send_to"].parse(given)

    assert list(_addressed(parsed)) == [field]


@pytest.mark.parametrize("given", ["us.1349120865", "US.", "US.1349 1208", "USA.1349120865"])
def test_what_is_neither_a_number_nor_a_user_id_is_refused(given):
    from wa_doctor.settings import SETTINGS_BY_NAME

    with pytest.raises(ValueError, match="business-scoped user id"):
        SETTINGS_BY_NAME["send_to"].parse(given)


def test_a_rejected_template_says_meta_s_reason(diagnose):
    run = diagnose("template-rejected", options={"lang": "en"})

    assert "rejected_reason INVALID_FORMAT" in run.with_finding("template.rejected")["message"]


@pytest.mark.parametrize(("before", "changed"), [("UTILITY", True), ("ACCOUNT_UPDATE", False)])
def test_a_category_meta_changed_is_news_but_the_2023_renaming_is_not(
    diagnose, graph_simulator, before, changed
):
    server = graph_simulator("healthy")
    for template in server.world.wabas[server.world.waba_id].templates:
        template.previous_category = before

    run = diagnose(env=simulator_env(server), options={"lang": "en"})

    outcome = run.only("campaign_template_category")
    assert outcome["outcome"] == ("warning" if changed else "passed")
    if changed:
        assert "another category: its price changes" in outcome["message"]
        assert outcome["message"].endswith(f"{before} → MARKETING")
