"""The suite as a CI health check: the workflow matches the README, strict mode, and the four
outputs (JSON, JUnit, terminal, HTML) name the same findings in the same order."""

from __future__ import annotations

import re

import yaml

from conftest import REPO, simulator_env

README = (REPO / "README.md").read_text("utf-8")
WORKFLOW = REPO / ".github" / "workflows" / "whatsapp-health.yml"


def test_the_workflow_parses_and_runs_the_readme_commands():
    workflow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    steps = workflow["jobs"]["doctor"]["steps"]
    commands = [step["run"] for step in steps if "run" in step]
    assert commands == [
        "python -m pip install -c constraints.txt .",
        "wa-doctor check --junitxml=reports/junit.xml",
    ]
    for command in commands:
        assert command in README, command
    (diagnose,) = [s for s in steps if s.get("run", "").startswith("wa-doctor check")]
    assert all(v.startswith("${{ secrets.") for v in diagnose["env"].values())
    (upload,) = [s for s in steps if "upload-artifact" in s.get("uses", "")]
    assert upload["if"] == "always()" and upload["with"]["path"] == "reports/"
    (restore,) = [s for s in steps if "cache/restore" in s.get("uses", "")]
    (save,) = [s for s in steps if "cache/save" in s.get("uses", "")]
    assert steps.index(restore) < steps.index(diagnose) < steps.index(save)
    kept = restore["with"]["path"].split()
    assert kept == save["with"]["path"].split() == ["reports/report.json", "reports/history.jsonl"]
    assert save["if"] == "always()", "a red run is the next run's baseline too"
    assert restore["with"]["restore-keys"] in save["with"]["key"]


def test_strict_mode_makes_warnings_fail(run_suite, graph_simulator):
    server = graph_simulator("expiring-soon")

    normal = run_suite(env=simulator_env(server))
    strict = run_suite("--wa-strict", env=simulator_env(server))

    assert (
        normal.exit_code == 0 and normal.with_finding("token.expiring_soon")["outcome"] == "warning"
    )
    assert (
        strict.exit_code == 1 and strict.with_finding("token.expiring_soon")["outcome"] == "failed"
    )


def test_json_junit_terminal_and_html_agree(run_suite, graph_simulator):
    server = graph_simulator("temporary-token")
    env = {
        **simulator_env(server),
        "WHATSAPP_API_VERSION": "v21.0",
        "WHATSAPP_PHONE_NUMBER_ID": "+52 55 1234 5678",
    }

    run = run_suite(env=env)

    from_json = [
        c["finding"] for c in run.report["checks"] if c["outcome"] in ("failed", "warning")
    ]
    from_junit = [
        prop.get("value")
        for case in run.junit_cases()
        for prop in case.iter("property")
        if prop.get("name") == "finding"
    ]
    summary = run.stdout.split("WhatsApp Cloud API doctor", 1)[1]
    from_terminal = re.findall(r"^\[[✗!]\] \S+ · .+ — .*\(([a-z_]+\.[a-z_0-9]+)\)$", summary, re.M)
    from_html = re.findall(r"data-finding='([^']+)'", run.html)

    assert len(from_json) >= 3, from_json
    assert {"token.temporary", "api.version_ending"} <= set(from_json)
    assert from_junit == from_json
    errors_first = [f for f in from_json if f in run.findings("failed")]
    errors_first += [f for f in from_json if f not in errors_first]
    assert from_terminal == errors_first  # what a person reads puts errors first
    assert from_html == errors_first


def test_a_warning_in_junit_carries_its_message_and_remedy(run_suite, graph_simulator):
    server = graph_simulator("expiring-soon")

    run = run_suite("--wa-lang", "en", env=simulator_env(server))

    (case,) = [
        c
        for c in run.junit_cases()
        if any(p.get("value") == "token.expiring_soon" for p in c.iter("property"))
    ]
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    entry = run.with_finding("token.expiring_soon")
    assert properties["severity"] == "warning"
    assert entry["message"].endswith(properties["message"])
    assert properties["remedy"].startswith(entry["remedy"]["title"] + ": ")


def test_quiet_prints_one_line_per_finding_and_the_default_folds_the_rest(
    run_suite, graph_simulator
):
    server = graph_simulator("session-logged-out")

    quiet = run_suite("-q", "--wa-lang", "en", env=simulator_env(server))
    normal = run_suite("--wa-lang", "en", env=simulator_env(server))

    quiet_summary = quiet.stdout.split("WhatsApp Cloud API doctor", 1)[1].splitlines()
    assert quiet_summary[1] == "✗ 1 problem"
    assert quiet_summary[2].startswith("✗ env-") and "token.session_logged_out" in quiet_summary[2]
    assert not quiet_summary[3].startswith(("✗", "!", "["))
    summary = normal.stdout.split("WhatsApp Cloud API doctor", 1)[1]
    assert "$ wa-doctor renew-token --env-file .env.local" in summary
    assert re.search(r"^ +×\d+ blocked by token.session_logged_out$", summary, re.M)
    assert "[-]" not in summary  # skipped checks are counted, not listed
    # the finding is said once, by the doctor, and the doctor's summary is what ends the output
    assert normal.stdout.count("(token.session_logged_out)") == 1
    assert "[token.session_logged_out]" not in normal.stdout  # pytest's failure text
    assert "FAILURES" not in normal.stdout and "short test summary" not in normal.stdout
    assert normal.stdout.rstrip().splitlines()[-1].startswith("JSON report: ")
    assert " failed, " in normal.stdout.split("WhatsApp Cloud API doctor", 1)[0]


def test_ci_runs_exactly_the_readmes_test_command():
    command = (REPO / ".ci" / "run").read_text("utf-8").strip().splitlines()[-1]
    assert f"```bash\n{command}\n```" in README


def test_last_failed_reruns_only_the_failures(run_suite):
    first = run_suite(cache=True)
    again = run_suite("--lf", cache=True)

    assert first.exit_code == again.exit_code == 1
    assert "run-last-failure: rerun previous 2 failures" in again.stdout
    assert again.report["summary"]["failed"] == 2 and again.report["summary"]["passed"] == 0


def test_meta_trace_id_is_its_own_field_and_shown(run_suite, graph_simulator):
    server = graph_simulator("wrong-phone-number-id")

    run = run_suite(env=simulator_env(server))

    entry = run.with_finding("phone.unsupported_request")
    assert entry["fbtrace_id"] and entry["fbtrace_id"] != "—"
    assert entry["findings"][0]["fbtrace_id"] == entry["fbtrace_id"]
    assert entry["fbtrace_id"] in run.stdout.split("WhatsApp Cloud API doctor", 1)[1]
    assert entry["fbtrace_id"] in run.html


def test_an_accepted_finding_is_shown_as_ignored_and_fails_nothing_until_it_expires(
    run_suite, graph_simulator
):
    server = graph_simulator("phone-blocked")
    accepted = (
        'ignore = [{ id = "phone.health_blocked", reason = "payment fixed, Meta reviewing", '
        "until = 2099-12-31 }]\n"
    )
    expired = accepted.replace("2099-12-31", "2020-01-01")

    ignored = run_suite(
        "--wa-lang", "en", env=simulator_env(server), files={"wa-doctor.toml": accepted}
    )
    again = run_suite(
        "--wa-lang", "en", env=simulator_env(server), files={"wa-doctor.toml": expired}
    )

    entry = ignored.only("phone_number_can_send")
    assert ignored.exit_code == 0 and entry["outcome"] == "passed"
    assert entry["remedy"]["ignored"] == "payment fixed, Meta reviewing"
    assert "accepted, does not count: payment fixed" in ignored.stdout
    assert "payment fixed, Meta reviewing" in ignored.html
    assert again.exit_code == 1 and again.only("phone_number_can_send")["outcome"] == "failed"


def test_fail_on_warning_and_wa_ignore(run_suite, graph_simulator):
    server = graph_simulator("expiring-soon")

    failing = run_suite("--wa-fail-on", "warning", env=simulator_env(server))
    accepted = run_suite(
        "--wa-fail-on", "warning", "--wa-ignore", "token.expiring_soon", env=simulator_env(server)
    )

    assert failing.exit_code == 1
    assert accepted.exit_code == 0
    assert accepted.only("token_not_expiring_soon")["remedy"]["ignored"] == "--wa-ignore"


def test_under_github_actions_the_job_summary_leads_with_the_result(
    run_suite, graph_simulator, tmp_path
):
    server = graph_simulator("expired")
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", "utf-8")
    env = {**simulator_env(server), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true"}

    run = run_suite("--wa-lang", "en", env=env)

    written = summary.read_text("utf-8")
    assert written.startswith("earlier step\n## WhatsApp Cloud API diagnosis\n\n**✗ 1 problem**")
    (row,) = [line for line in written.splitlines() if line.startswith("| ✗")]
    assert "`token.expired`" in row and "env-106540352242922" in row
    assert row.endswith("expires again. $ wa-doctor renew-token --env-file .env.local |")
    assert server.world.token not in written and server.world.token[:12] not in written
    assert run.exit_code == 1
