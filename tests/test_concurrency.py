"""Many credentials, few round trips: each Graph resource is fetched once per credential, ahead
of the checks and concurrently, never more than ``--wa-concurrency`` requests at once.

The simulator records every request (with a hash of the token it is about) and the peak in
flight; a CRM database holds one active row per business.
"""

from __future__ import annotations

import re
from collections import Counter

import httpx
import pytest

from conftest import DIAGNOSTICS, CrmDatabase, fake_token

REQUESTS_PER_CREDENTIAL = 3
"""debug_token, the WABA with its phone numbers and subscribed apps nested (the credential's
number among them), the campaign template."""


@pytest.fixture
def fleet(crm_database: CrmDatabase):
    """Start a simulator serving ``count`` businesses, each an active row of the CRM table."""
    from wa_doctor.simulator import GraphSimulator, build
    from wa_doctor.simulator.scenarios import add_tenants

    servers: list[GraphSimulator] = []

    def start(count: int, latency: float = 0.0) -> tuple[GraphSimulator, dict[str, str]]:
        world = build("healthy")
        world.latency = latency
        for token, phone_id in add_tenants(world, count):
            crm_database.add_credential(token, phone_id)
        server = GraphSimulator(world)
        server.start()
        servers.append(server)
        return server, {"WHATSAPP_GRAPH_URL": server.url, "DATABASE_URL": crm_database.url}

    yield start
    for server in servers:
        server.stop()


def duplicates(server) -> list[tuple[str, ...]]:
    return [key for key, n in Counter(s.key() for s in server.seen).items() if n > 1]


def test_a_full_run_fetches_each_resource_once_per_credential(run_suite, fleet):
    server, env = fleet(5)

    run = run_suite(env=env)

    assert run.exit_code == 0, run.stdout
    assert len(run.report["credentials"]) == 5
    assert len(server.seen) == 5 * REQUESTS_PER_CREDENTIAL
    assert duplicates(server) == []
    assert len(server.requests_to("/debug_token")) == 5


@pytest.mark.parametrize(
    "narrowing",
    [("--collect-only",), ("--ignore-glob", f"{DIAGNOSTICS}/test_[3-7]_*"), ("-m", "not_a_mark")],
    ids=["collect-only", "ignore-glob", "mark"],
)
def test_a_run_that_checks_nothing_of_the_graph_sends_no_request(run_suite, fleet, narrowing):
    server, env = fleet(2)

    run_suite(*narrowing, env=env)

    assert server.seen == []


@pytest.mark.parametrize(
    ("selection", "per_credential"),
    [
        ("token_valid", ("debug_token",)),
        ("campaign_template", ("debug_token", "message_templates")),
    ],
)
def test_a_k_selection_fetches_only_what_its_checks_read(
    run_suite, fleet, selection, per_credential
):
    server, env = fleet(3)

    run = run_suite("-k", selection, env=env)

    assert run.report["checks"] and all(selection in c["id"] for c in run.report["checks"])
    assert sorted(s.path.rsplit("/", 1)[1] for s in server.seen) == sorted(per_credential * 3)
    assert duplicates(server) == []


def test_wa_credential_narrows_the_run_to_one_row(run_suite, fleet, crm_database):
    server, env = fleet(3)
    (row_id, phone_id), *_ = crm_database.execute(
        "SELECT id, phone_number_id FROM crm.marketing_channel_credential ORDER BY id DESC"
    )

    by_label = run_suite("--wa-credential", f"db{row_id}-{phone_id}", env=env)
    by_row = run_suite("--wa-credential", str(row_id), env=env)
    by_phone = run_suite(env={**env, "WA_DOCTOR_CREDENTIAL": phone_id})

    for run in (by_label, by_row, by_phone):
        assert [c["label"] for c in run.report["credentials"]] == [f"db{row_id}-{phone_id}"]
        assert {c["credential"] for c in run.report["checks"]} == {None, f"db{row_id}-{phone_id}"}
        assert run.only("credential_selected")["outcome"] == "passed"
    assert len(server.seen) == 3 * REQUESTS_PER_CREDENTIAL


def test_an_unknown_wa_credential_is_a_finding_naming_the_ones_found(run_suite, fleet):
    server, env = fleet(2)

    run = run_suite("--wa-credential", "db999", "--wa-lang", "en", env=env)

    assert run.exit_code == 1
    entry = run.with_finding("config.credential_not_found")
    assert "db999" in entry["message"] and re.search(r"db\d+-3000", entry["message"])
    assert server.seen == []


def test_requests_in_flight_never_exceed_the_concurrency(run_suite, fleet):
    server, env = fleet(12, latency=0.05)

    run = run_suite("--wa-concurrency", "3", env=env)

    assert run.exit_code == 0, run.stdout
    assert server.peak_in_flight == 3, "three at once, never more"
    assert len(server.seen) == 12 * REQUESTS_PER_CREDENTIAL


def timeline(server) -> str:
    """Each request as (token hash, path, start, end), in seconds from the first one."""
    first = min(s.started for s in server.seen)
    return "\n".join(
        f"{s.subject} {s.path} {s.started - first:.3f}-{s.ended - first:.3f}"
        for s in sorted(server.seen, key=lambda s: s.started)
    )


def test_a_credential_costs_two_sequential_round_trips(run_suite, fleet):
    # A latency well above the pauses of a cold run: its requests start while pytest compiles
    # and collects the checks, which holds the GIL for long stretches; at 50 and 250 ms, CI saw
    # a stage's requests start up to 0.45 s apart, far enough to look sequential.
    server, env = fleet(2, latency=1.0)

    # room for every request of a stage at once: 2 × 5 after the two debug_tokens
    run = run_suite("--wa-concurrency", "16", env=env)

    assert run.exit_code == 0, run.stdout
    # debug_token, then phone, WABA, its lists and templates together
    assert server.depth() == 2, timeline(server)


@pytest.mark.parametrize("told", [False, True], ids=["in run order", "told the order later"])
def test_reads_are_fetched_in_the_order_the_checks_want_them(fleet, tmp_path, told):
    """Every token first, then every WABA (the phone checks), then the templates (the campaign
    checks only, which run later): a large run's last answers hold up the fewest checks."""
    import time

    from wa_doctor.config import load_config
    from wa_doctor.doctor import Doctor
    from wa_doctor.prefetch import Prefetcher, everything
    from wa_doctor.pytest_checks import diagnosed

    server, env = fleet(3)
    doctor = Doctor.create(load_config({}, env, tmp_path))
    run_order = [check for _, check in diagnosed()]
    if told:  # as a whole run does: started in another order, told the run's at collection
        prefetcher = Prefetcher(doctor, everything(doctor)[::-1], 1)
        prefetcher.follow(run_order)
    else:
        selected = [(c, cred) for c in run_order if c.reads for cred in doctor.credentials]
        prefetcher = Prefetcher(doctor, selected, 1)
    prefetcher.start()
    deadline = time.monotonic() + 60
    while len(server.seen) < 9 and time.monotonic() < deadline:
        time.sleep(0.01)
    prefetcher.stop()
    doctor.close()

    kinds = [
        "token" if "debug_token" in s.path else "template" if "template" in s.path else "waba"
        for s in server.seen
    ]
    assert kinds == ["token"] * 3 + ["waba"] * 3 + ["template"] * 3, timeline(server)


def test_a_rate_limit_answer_holds_every_thread_before_the_retry():
    """Meta's limits are per app: after one 429 no thread sends until the back-off has passed."""
    from concurrent.futures import ThreadPoolExecutor

    from wa_doctor import catalog
    from wa_doctor.graph import GraphClient
    from wa_doctor.redaction import Redactor
    from wa_doctor.simulator import GraphSimulator, build

    world = build("healthy")
    world.latency, world.rate_limited_requests = 0.05, 1
    delay = 0.4
    with GraphSimulator(world) as server:
        client = GraphClient(
            server.url,
            "v25.0",
            timeout=10,
            redactor=Redactor(),
            catalog=catalog.load(),
            retry_delay=delay,
            concurrency=2,
        )
        with ThreadPoolExecutor(2) as pool:
            answers = list(
                pool.map(
                    lambda n: client.request("GET", world.phone_number_id, world.token, {"n": n}),
                    [str(n) for n in range(6)],
                )
            )
        client.close()

    assert all(a["id"] == world.phone_number_id for a in answers), "the retry succeeded"
    assert len(server.seen) == 7, "six requests and one retry"
    (limited,) = [s for s in server.seen if s.status == 429]
    # A request already on its way while the 429 travelled back may start (late, on a loaded
    # machine); then nothing does until the back-off has passed (without the shared pause the
    # other thread sends every 50 ms: all its requests left in that time).
    window = (limited.ended, limited.ended + delay * 0.9)
    assert len([s for s in server.seen if window[0] < s.started < window[1]]) <= 1
    assert [s for s in server.seen if s.started >= window[1]], "the rest went after the pause"


def test_a_check_is_one_test_that_fails_naming_the_credentials_it_fails_for(
    run_suite, fleet, crm_database
):
    _, env = fleet(2)
    crm_database.add_credential(fake_token(), "109999999999999")

    run = run_suite("--wa-lang", "en", env=env)

    records = run.checks("token_valid")
    assert [r["outcome"] for r in records] == ["passed", "passed", "failed"]
    broken = records[2]["credential"]
    cases = {case.get("name"): case for case in run.junit_cases()}
    assert len(cases) == len({c["id"] for c in run.report["checks"]}) < len(run.report["checks"])
    case = cases["test_token_valid"]
    properties = [(p.get("name"), p.get("value")) for p in case.iter("property")]
    assert properties[:2] == [("credential", broken), ("finding", "token.invalid")]
    assert case.find("failure").get("message").startswith(f"{broken}: [token.invalid]")
    assert "Passed for 2 more credentials" in run.html
    assert run.exit_code == 1


@pytest.mark.parametrize("scenario", ["healthy", "webhooks-not-subscribed"])
def test_the_simulator_nests_edges_as_graph_field_expansion_does(graph_simulator, scenario):
    server = graph_simulator(scenario)
    world = server.world
    fields = (
        "account_review_status,phone_numbers{id,status},"
        "subscribed_apps{whatsapp_business_api_data{id}}"
    )

    answer = httpx.get(
        f"{server.url}/v25.0/{world.waba_id}",
        params={"fields": fields},
        headers={"Authorization": f"Bearer {world.token}"},
    ).json()

    subscribed = world.wabas[world.waba_id].subscribed_apps
    apps = [{"whatsapp_business_api_data": {"id": app}} for app, _ in subscribed]
    assert answer == {
        "id": world.waba_id,
        "account_review_status": "APPROVED",
        "phone_numbers": {"data": [{"id": world.phone_number_id, "status": "CONNECTED"}]},
        # an edge with nothing in it is left out of the answer, as Graph leaves it out
        **({"subscribed_apps": {"data": apps}} if apps else {}),
    }


def test_a_refused_combined_read_asks_each_part_alone_and_finds_the_same(run_suite, fleet):
    server, env = fleet(2)
    normal = run_suite(env=env)
    before = len(server.seen)
    server.world.nested_too_much_data = True

    refused = run_suite(env=env)

    def diagnosis(run):
        checks = run.report["checks"]
        return [(c["id"], c["credential"], c["outcome"], c["finding"]) for c in checks]

    assert diagnosis(refused) == diagnosis(normal)
    sent = server.seen[before:]
    combined = [s for s in sent if "{" in s.query.get("fields", "")]
    assert [s.status for s in combined] == [500, 500], "refused once per credential, no retry"
    alone = Counter(
        "node" if (last := s.path.rsplit("/", 1)[1]).isdigit() else last
        for s in sent
        if "{" not in s.query.get("fields", "")
    )
    assert alone == {  # per credential: the WABA and the number, and the three others
        "node": 4,
        "debug_token": 2,
        "phone_numbers": 2,
        "subscribed_apps": 2,
        "message_templates": 2,
    }


def test_a_check_failing_for_many_credentials_sums_up_in_one_line_and_lists_every_one(
    run_suite, fleet, crm_database
):
    _, env = fleet(0)
    for n in range(12):
        crm_database.add_credential(fake_token(), f"1099999999999{n:02d}")

    run = run_suite("--wa-lang", "en", env=env)

    (case,) = [c for c in run.junit_cases() if c.get("name") == "test_token_valid"]
    failure = case.find("failure")
    # the attribute fits every pytest's budget (9.2 cuts it at 500), so no version cuts it
    assert failure.get("message") == (
        "[token.invalid] Invalid token (Invalid OAuth access token) — for 12 credentials"
    )
    lines = failure.text.strip().splitlines()
    assert len(lines) == 12 and all("[token.invalid]" in line for line in lines)
    assert run.findings("failed").count("token.invalid") == 12, "the reports name every one"


def test_the_verdict_of_a_check_is_a_plain_value(tmp_path):
    from wa_doctor.config import load_config
    from wa_doctor.credentials import environment_credential
    from wa_doctor.doctor import Doctor
    from wa_doctor.findings import Finding, Outcome
    from wa_doctor.runner import CheckResult, result_of
    from wa_doctor.verdict import conclude

    doctor = Doctor.create(load_config({"lang": "en"}, {}, tmp_path))
    one, two = (environment_credential(None, "default", p, None) for p in ("1", "2"))
    failed = result_of(doctor, [Finding("config.missing_token")], one)
    warned = result_of(doctor, [Finding("token.expiring_soon", {"days": 3})], two)
    skipped = CheckResult(Outcome.SKIPPED, reason="no DATABASE_URL")

    assert conclude(doctor, [(one, skipped), (two, skipped)]).skip_reason == "no DATABASE_URL"
    assert conclude(doctor, [(two, warned)]).failure is None
    failure = conclude(doctor, [(one, failed), (two, warned)]).failure
    assert failure is not None and failure.text.startswith("env-1: [config.missing_token]")
    assert str(failure) == failure.text and failure.reprcrash.message == failure.summary
    doctor.close()


def test_a_field_the_version_lacks_costs_requests_per_run_not_per_credential(run_suite, fleet):
    server, env = fleet(12)
    server.world.phone_fields_missing = ("is_on_biz_app",)

    run = run_suite(env=env)

    assert run.exit_code == 0, run.stdout
    refused = [s for s in server.seen if "is_on_biz_app" in s.query.get("fields", "")]
    assert 1 <= len(refused) <= 8, "at most the reads already in flight when Graph first said"
    assert len(server.seen) <= 12 * REQUESTS_PER_CREDENTIAL + len(refused)
