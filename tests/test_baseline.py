"""A daily health check says what changed: new problems, fixed ones, those still open since when,
and ``--wa-fail-on new`` fails only for what the previous run did not have."""

from __future__ import annotations

import json

import pytest

from conftest import fake_token, simulator_env
from wa_doctor import history
from wa_doctor.baseline import Baseline, BaselineError, compare, credential_keys
from wa_doctor.redaction import Redactor

PHONE_KEY = "env:106540352242922"


def test_a_problem_that_appears_is_new_and_one_that_goes_is_fixed(diagnose, graph_simulator):
    token = fake_token()
    healthy = diagnose(env=simulator_env(graph_simulator("healthy", token)))
    expired = diagnose(env=simulator_env(graph_simulator("expired", token)), baseline=healthy.path)
    again = diagnose(env=simulator_env(graph_simulator("healthy", token)), baseline=expired.path)

    assert {"credential": PHONE_KEY, "finding": "token.expired"} in expired.report["changes"]["new"]
    assert expired.report["changes"]["fixed"] == []
    assert {"credential": PHONE_KEY, "finding": "token.expired"} in again.report["changes"]["fixed"]
    assert "token.expired · env-106540352242922" in expired.html
    assert "nuevos 1 · resueltos 0" in expired.html


def test_a_problem_still_open_keeps_the_date_it_was_first_seen(diagnose, graph_simulator):
    token = fake_token()
    first = diagnose(env=simulator_env(graph_simulator("expired", token)))
    second = diagnose(env=simulator_env(graph_simulator("expired", token)), baseline=first.path)

    seen = first.with_finding("token.expired")["findings"][0]["first_seen"]
    (still,) = [s for s in second.report["changes"]["still"] if s["finding"] == "token.expired"]
    assert still["first_seen"] == seen
    assert second.with_finding("token.expired")["findings"][0]["first_seen"] == seen
    assert second.report["changes"]["new"] == []


def test_fail_on_new_passes_an_unchanged_red_state_and_fails_a_new_problem(
    diagnose, graph_simulator
):
    token = fake_token()
    red = diagnose(env=simulator_env(graph_simulator("expired", token)))
    unchanged = diagnose(
        env=simulator_env(graph_simulator("expired", token)),
        options={"fail_on": "new", "lang": "en"},
        baseline=red.path,
    )
    worse = diagnose(
        env=simulator_env(graph_simulator("phone-not-registered", token)),
        options={"fail_on": "new"},
        baseline=red.path,
    )

    assert red.exit_code == 1
    assert unchanged.exit_code == 0
    (accepted,) = unchanged.with_finding("token.expired")["findings"]
    assert accepted["ignored"].startswith("already in the baseline (first seen ")
    assert worse.exit_code == 1
    assert worse.with_finding("phone.not_registered")["outcome"] == "failed"


def test_a_quality_that_drops_is_a_finding_of_its_own(diagnose, graph_simulator):
    token = fake_token()
    green = diagnose(env=simulator_env(graph_simulator("healthy", token)), options={"lang": "en"})
    yellow = diagnose(
        env=simulator_env(graph_simulator("quality-low", token)),
        options={"lang": "en"},
        baseline=green.path,
    )

    assert green.only("phone_number_not_worse")["outcome"] == "skipped"
    assert green.report["credentials"][0]["facts"]["quality_rating"] == "GREEN"
    entry = yellow.only("phone_number_not_worse")
    assert (entry["outcome"], entry["finding"]) == ("warning", "phone.quality_dropped")
    assert "went from GREEN to RED since " in entry["message"]


def test_green_to_yellow_is_a_drop_though_yellow_alone_is_only_low(diagnose, graph_simulator):
    server = graph_simulator("healthy")
    green = diagnose(env=simulator_env(server))
    server.world.phones[server.world.phone_number_id].quality_rating = "YELLOW"

    yellow = diagnose(env=simulator_env(server), baseline=green.path)

    assert "pasó de GREEN a YELLOW desde" in yellow.only("phone_number_not_worse")["message"]
    assert yellow.only("phone_number_quality")["finding"] == "phone.quality_low"


def test_a_lower_messaging_limit_is_a_finding_and_a_higher_one_is_not(diagnose, graph_simulator):
    server = graph_simulator("healthy")
    before = diagnose(env=simulator_env(server))
    server.world.phones[server.world.phone_number_id].messaging_limit = "TIER_250"
    lower = diagnose(env=simulator_env(server), baseline=before.path)
    server.world.phones[server.world.phone_number_id].messaging_limit = "TIER_10K"
    higher = diagnose(env=simulator_env(server), baseline=lower.path)

    assert lower.only("phone_number_not_worse")["finding"] == "phone.messaging_limit_dropped"
    assert "TIER_2K a TIER_250" in lower.only("phone_number_not_worse")["message"]
    assert higher.only("phone_number_not_worse")["outcome"] == "passed"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe not json", "no es JSON"),
        (b'{"checks": "no"}', "no es un report.json de wa-doctor"),
        (b"[" * 100_000, "no es JSON"),
        (json.dumps({"checks": [], "generated_at": "ayer"}).encode(), "no es un report.json"),
    ],
    ids=["binary", "foreign JSON", "deep", "no date"],
)
def test_a_corrupt_or_foreign_baseline_is_a_warning_never_a_crash(
    diagnose, graph_simulator, tmp_path, content, reason
):
    baseline = tmp_path / "report.json"
    baseline.write_bytes(content)

    run = diagnose(env=simulator_env(graph_simulator("healthy")), baseline=baseline)

    entry = run.only("baseline_usable")
    assert (entry["outcome"], entry["finding"]) == ("warning", "config.baseline_unusable")
    assert reason in entry["message"]
    assert run.report["changes"] is None
    assert run.exit_code == 0


def test_the_folder_s_simulated_report_is_quietly_not_compared_with_a_real_run(
    diagnose, graph_simulator
):
    simulated = diagnose("expired")  # the README's first step: try the simulator
    real = diagnose(env=simulator_env(graph_simulator("healthy")), baseline=simulated.path)

    said = real.only("baseline_usable")
    assert said["outcome"] == "skipped" and "ejecución simulada" in said["message"]
    assert real.report["changes"] is None and real.exit_code == 0


def test_a_simulated_baseline_asked_for_by_name_is_a_warning(diagnose, graph_simulator):
    simulated = diagnose("expired")
    real = diagnose(
        env=simulator_env(graph_simulator("healthy")), options={"baseline": str(simulated.path)}
    )

    said = real.only("baseline_usable")
    assert said["outcome"] == "warning" and "es de una ejecución simulada" in said["message"]
    assert real.report["changes"] is None


def test_a_baseline_is_read_by_value_not_trusted():
    report = {
        "generated_at": "2026-12-01T08:00:00+00:00",
        "credentials": [{"label": "db7-1065", "row_id": "7", "phone_number_id": "1065"}, "x"],
        "checks": [
            {"credential": "db7-1065", "findings": [{"id": "token.expired", "severity": "error"}]},
            {"credential": None, "findings": [{"id": "db.timeout", "severity": "warning"}]},
            {
                "credential": "db7-1065",
                "findings": [{"id": "phone.messaging_limit", "severity": "info"}],
            },
            "not a check",
            {"credential": 3, "findings": "none"},
        ],
    }

    baseline = Baseline.of_report(report)

    assert baseline.problems == {("db:1065", "token.expired"), ("run", "db.timeout")}
    assert baseline.first_seen[("db:1065", "token.expired")] == report["generated_at"]
    changes = compare(baseline, [("db:1065", "token.expired"), ("db:1065", "phone.banned")])
    assert (changes.new, changes.fixed) == (
        (("db:1065", "phone.banned"),),
        (("run", "db.timeout"),),
    )
    with pytest.raises(BaselineError):
        Baseline.of_report([report])


def test_the_report_folders_last_report_is_the_baseline_and_the_terminal_leads_with_the_change(
    run_suite, graph_simulator, tmp_path
):
    token = fake_token()
    folder = tmp_path / "shared-reports"
    args = ("--wa-report-dir", str(folder), "--wa-lang", "en")
    run_suite(*args, env=simulator_env(graph_simulator("healthy", token)))

    run = run_suite(*args, env=simulator_env(graph_simulator("expired", token)))

    changes = json.loads((folder / "report.json").read_text("utf-8"))["changes"]
    assert {"credential": PHONE_KEY, "finding": "token.expired"} in changes["new"]
    summary = run.stdout.split("WhatsApp Cloud API doctor", 1)[1]
    assert "Since " in summary and "new 1" in summary
    assert "  new: token.expired · env-106540352242922" in summary
    kept = (folder / history.HISTORY).read_text("utf-8")
    assert [
        json.loads(line)["credentials"][PHONE_KEY]["problems"] for line in kept.splitlines()
    ] == [0, 1]
    assert token not in kept and token[:12] not in kept
    page = (folder / "report.html").read_text("utf-8")
    assert "Trend (last 2 runs)" in page and "<svg class='wa-spark'" in page


def test_the_history_keeps_the_last_runs_and_drops_what_is_not_one(tmp_path):
    path = tmp_path / history.HISTORY
    path.write_text('not json\n{"credentials": []}\n' + "[" * 50_000 + "\n", "utf-8")
    secret = fake_token()

    for n in range(history.MAX_RUNS + 5):
        kept = history.update(
            path, {"at": str(n), "credentials": {"env:1": {"note": secret}}}, Redactor([secret])
        )

    assert len(kept) == len(path.read_text("utf-8").splitlines()) == history.MAX_RUNS
    assert kept[-1]["at"] == str(history.MAX_RUNS + 4)
    assert secret not in path.read_text("utf-8")
    assert history.read(tmp_path / "none.jsonl") == []


def test_a_chart_needs_two_values_and_escapes_its_title():
    assert history.sparkline([None, 3.0, None], "x") == ""
    chart = history.sparkline([0, 2, None, 1], "problems: <1>")

    assert chart.startswith("<svg class='wa-spark'") and "problems: &lt;1&gt;" in chart
    points = chart.split("points='", 1)[1].split("'", 1)[0].split()
    assert len(points) == 3, "a missing value is left out"
    assert f"cx='{points[-1].split(',')[0]}'" in chart, "the last value is marked"


def test_fail_on_new_sets_the_exit_code_of_a_run_as_ci_runs_it(
    run_suite, graph_simulator, tmp_path
):
    env = simulator_env(graph_simulator("expired"))
    args = ("--wa-report-dir", str(tmp_path / "shared"), "--wa-fail-on", "new")

    first = run_suite(*args, env=env)
    again = run_suite(*args, env=env)

    assert (first.exit_code, again.exit_code) == (1, 0), again.stdout


@pytest.mark.parametrize(
    "report",
    [
        {"generated_at": "2026-01-01", "checks": [], "credentials": 1},
        {"generated_at": "2026-01-01", "checks": [{"credential": None, "findings": 1}]},
        {"generated_at": "2026-01-01", "checks": [{"credential": ["x"], "findings": [{}]}]},
    ],
    ids=["credentials not a list", "findings not a list", "a list as a label"],
)
def test_a_baseline_of_the_wrong_shape_is_read_as_what_it_holds_never_a_crash(report):
    assert Baseline.of_report(report).problems == frozenset()


def test_only_our_own_ids_and_labels_come_out_of_a_baseline():
    hostile = "a\n\u3000::error title=x::pwned"
    report = {
        "generated_at": "2026-12-01T08:00:00+00:00",
        "credentials": [{"label": hostile, "phone_number_id": "1"}, {"label": "env-1"}],
        "checks": [
            {"credential": "env-1", "findings": [{"id": hostile, "severity": "error"}]},
            {"credential": hostile, "findings": [{"id": "token.expired", "severity": "error"}]},
            {"credential": "env-1", "findings": [{"id": "token.expired", "severity": "error"}]},
        ],
    }

    assert Baseline.of_report(report).problems == {("env:env-1", "token.expired")}


def test_two_rows_of_one_number_keep_keys_of_their_own():
    rows = [(True, "1065", "db1-1065"), (True, "1065", "db2-1065"), (False, "1065", "env-1065")]

    assert credential_keys(rows) == ["db:1065", "db:1065#db2-1065", "env:1065"]


NAMED = "CRM Demo · +1 555-010-4242 (env-106540352242922)"
"""The simulator's number as people know it: Meta's business name and number, then the label."""


def test_a_credential_is_named_by_its_business_and_number_even_once_its_token_is_dead(
    diagnose, graph_simulator
):
    token = fake_token()
    healthy = diagnose(env=simulator_env(graph_simulator("healthy", token)))
    expired = diagnose(env=simulator_env(graph_simulator("expired", token)), baseline=healthy.path)
    forgotten = diagnose(env=simulator_env(graph_simulator("expired", token)))

    assert NAMED in healthy.html
    assert NAMED in expired.html, "Meta tells nothing to a dead token: the last run's names"
    assert NAMED not in forgotten.html and "env-106540352242922" in forgotten.html


@pytest.mark.parametrize("name", ["CRM\u202edemo", "CRM\x1b[31m", "x" * 65])
def test_a_business_name_that_is_not_plain_short_text_is_not_shown(diagnose, graph_simulator, name):
    server = graph_simulator("healthy")
    for phone in server.world.phones.values():
        phone.verified_name = name

    diagnosis = diagnose(env=simulator_env(server))

    assert "+1 555-010-4242 (env-106540352242922)" in diagnosis.html
    assert name not in diagnosis.html
    assert name not in json.dumps(diagnosis.report, ensure_ascii=False)


@pytest.mark.parametrize("narrowing", [("-k", "token_present"), ("--co",)])
def test_a_narrowed_run_fixes_nothing_it_did_not_look_at_and_keeps_the_dates(
    run_suite, graph_simulator, tmp_path, narrowing
):
    token = fake_token()
    folder = tmp_path / "shared-reports"
    args = ("--wa-report-dir", str(folder), "--wa-lang", "en")
    env = simulator_env(graph_simulator("expired", token))

    def expired_first_seen() -> str:
        report = json.loads((folder / "report.json").read_text("utf-8"))
        (entry,) = [c for c in report["checks"] if c["finding"] == "token.expired"]
        return entry["findings"][0]["first_seen"]

    run_suite(*args, env=env)
    seen = expired_first_seen()
    narrowed = run_suite(*args, *narrowing, env=env)
    changes = json.loads((folder / "report.json").read_text("utf-8"))["changes"]
    again = run_suite(*args, "--wa-fail-on", "new", env=env)

    assert changes["fixed"] == [] and "fixed 0" in narrowed.stdout
    carried = {(c["finding"], c["first_seen"]) for c in changes["carried"]}
    assert ("token.expired", seen) in carried
    again_changes = json.loads((folder / "report.json").read_text("utf-8"))["changes"]
    assert again_changes["new"] == [], "nothing came back as new"
    assert expired_first_seen() == seen and "new 0" in again.stdout
    kept = (folder / history.HISTORY).read_text("utf-8").splitlines()
    assert len(kept) == 2, "the narrowed run is no line of the history"


def test_a_business_name_holding_a_secret_is_shown_without_it(diagnose, graph_simulator):
    server = graph_simulator("healthy")
    secret_part = server.world.token[10:50]
    for phone in server.world.phones.values():
        phone.verified_name = f"Shop {secret_part}"

    diagnosis = diagnose(env=simulator_env(server))

    assert "+1 555-010-4242 (env-106540352242922)" in diagnosis.html
    assert secret_part not in diagnosis.html and secret_part[:20] not in diagnosis.html
