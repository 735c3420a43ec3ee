"""``--wa-sarif``: the findings that point at a file, as SARIF 2.1.0 for GitHub code scanning.

Validated against the SARIF 2.1.0 schema (``fixtures/sarif-2.1.0-rtm.5.json``: the schema the
standard shipped with, as Microsoft's ``@microsoft/jest-sarif`` npm package carries it, MIT).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from conftest import fake_token, git

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "sarif-2.1.0-rtm.5.json").read_bytes())


def leaky_crm(folder: Path, token: str) -> None:
    """A CRM that commits a token, puts it in a public variable, and calls a retired version."""
    (folder / "lib").mkdir()
    (folder / "lib" / "send.js").write_text(f"const a = 1;\nconst token = '{token}';\n")
    (folder / "lib" / "graph.ts").write_text("const v = 'https://graph.facebook.com/v17.0/';\n")
    (folder / ".env.local").write_text(f"WHATSAPP_ACCESS_TOKEN={token}\nNEXT_PUBLIC_WA={token}\n")
    git(folder, "add", "lib", ".env.local")
    git(folder, "commit", "-qm", "oops")


def results_by_rule(log: dict) -> dict[str, dict]:
    (run,) = log["runs"]
    return {result["ruleId"]: result for result in run["results"]}


def test_code_and_exposure_findings_are_valid_sarif_with_file_and_line(
    diagnose, crm_app, monkeypatch
):
    token = fake_token()
    leaky_crm(crm_app, token)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(crm_app))

    run = diagnose(env={"WHATSAPP_ACCESS_TOKEN": token}, options={"app_dir": str(crm_app)})

    jsonschema.Draft4Validator(SCHEMA).validate(run.sarif)
    results = results_by_rule(run.sarif)
    (sarif_run,) = run.sarif["runs"]
    where = {
        (result["ruleId"], location["artifactLocation"]["uri"], location["region"]["startLine"])
        for result in sarif_run["results"]
        for location in [result["locations"][0]["physicalLocation"]]
    }
    assert where == {
        ("exposure.token_in_source", ".env.local", 1),  # a result for each place
        ("exposure.token_in_source", ".env.local", 2),
        ("exposure.token_in_source", "lib/send.js", 2),
        ("exposure.public_env_name", ".env.local", 2),
        ("exposure.env_file_tracked", ".env.local", 1),
        ("api.code_version_unsupported", "lib/graph.ts", 1),
    }
    assert results["exposure.token_in_source"]["level"] == "error"


def test_each_rule_carries_its_title_and_remedy_once(diagnose, crm_app, monkeypatch):
    token = fake_token()
    leaky_crm(crm_app, token)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(crm_app))

    run = diagnose(
        env={"WHATSAPP_ACCESS_TOKEN": token}, options={"app_dir": str(crm_app), "lang": "en"}
    )

    (sarif_run,) = run.sarif["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert len({rule["id"] for rule in rules}) == len(rules)
    by_id = {rule["id"]: rule for rule in rules}
    leak = by_id["exposure.token_in_source"]
    assert leak["shortDescription"]["text"] == "The token is written in the code"
    assert "WHATSAPP_ACCESS_TOKEN" in leak["help"]["text"]
    assert "security" in leak["properties"]["tags"]
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_findings_about_meta_or_the_database_are_not_sarif_results(diagnose):
    run = diagnose("expired")

    assert run.findings() and results_by_rule(run.sarif) == {}
    jsonschema.Draft4Validator(SCHEMA).validate(run.sarif)


def test_a_crm_in_a_subfolder_is_named_from_the_repository_root(diagnose, crm_app, monkeypatch):
    token = fake_token()
    leaky_crm(crm_app, token)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(crm_app.parent))

    run = diagnose(env={"WHATSAPP_ACCESS_TOKEN": token}, options={"app_dir": str(crm_app)})

    location = results_by_rule(run.sarif)["api.code_version_unsupported"]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "crm-app/lib/graph.ts"


def test_an_accepted_finding_is_a_suppressed_result(diagnose, crm_app, monkeypatch):
    token = fake_token()
    leaky_crm(crm_app, token)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(crm_app))

    run = diagnose(
        env={"WHATSAPP_ACCESS_TOKEN": token},
        options={"app_dir": str(crm_app), "ignore": "api.code_version_unsupported"},
    )

    (suppression,) = results_by_rule(run.sarif)["api.code_version_unsupported"]["suppressions"]
    assert suppression["kind"] == "external"
    assert "suppressions" not in results_by_rule(run.sarif)["exposure.token_in_source"]


def test_the_suite_writes_sarif_where_asked_and_says_so(run_suite, crm_app):
    token = fake_token()
    leaky_crm(crm_app, token)
    env = {"WHATSAPP_ACCESS_TOKEN": token, "GITHUB_WORKSPACE": str(crm_app)}

    run = run_suite("--wa-app-dir", str(crm_app), "--wa-sarif", "doctor.sarif", env=env)

    written = json.loads((run.directory / "doctor.sarif").read_text("utf-8"))
    jsonschema.Draft4Validator(SCHEMA).validate(written)
    assert "exposure.token_in_source" in results_by_rule(written)
    assert "SARIF: doctor.sarif" in run.stdout
    assert token not in json.dumps(written) and token[:12] not in json.dumps(written)


def test_each_place_is_a_result_and_unusual_file_names_are_kept_whole(
    diagnose, crm_app, monkeypatch
):
    token = fake_token()
    for name in ("src/configuración.ts", "src/a:b.ts"):
        (crm_app / name).parent.mkdir(exist_ok=True)
        (crm_app / name).write_text(f"// x\nconst t = '{token}';\n")
    git(crm_app, "add", "src")
    git(crm_app, "commit", "-qm", "two leaks")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(crm_app))

    run = diagnose(env={"WHATSAPP_ACCESS_TOKEN": token}, options={"app_dir": str(crm_app)})

    (sarif_run,) = run.sarif["runs"]
    places = {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in sarif_run["results"]
        if r["ruleId"] == "exposure.token_in_source"
    }
    assert places == {("src/a%3Ab.ts", 2), ("src/configuraci%C3%B3n.ts", 2)}


def test_a_file_name_cannot_leak_the_token_or_become_a_command(run_suite, crm_app):
    token = fake_token()
    hostile = f"x_{token}\x1b[2J##[group]x.js"
    (crm_app / hostile).write_text(f"const t = '{token}';\n")
    git(crm_app, "add", ".")
    git(crm_app, "commit", "-qm", "hostile name")
    env = {
        "WHATSAPP_ACCESS_TOKEN": token,
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(crm_app),
    }

    run = run_suite("--wa-app-dir", str(crm_app), "--wa-sarif", "out.sarif", env=env)

    commands = [line for line in run.stdout.splitlines() if line.startswith("::")]
    (annotation,) = [line for line in commands if "token_in_source" in line]
    assert annotation.startswith("::error ") and "##[" not in annotation
    assert "\x1b" not in run.stdout and token not in run.stdout
    assert token not in (run.directory / "out.sarif").read_text("utf-8")


def test_a_sarif_path_that_is_not_a_file_is_refused_and_the_run_still_reports(run_suite, tmp_path):
    link = tmp_path / "to-null"
    link.symlink_to("/dev/null")

    run = run_suite("--wa-sarif", str(link), env={"WA_DOCTOR_SIMULATE": "healthy"})

    assert run.exit_code == 1 and "not a regular file" in run.stderr
    assert link.is_symlink() and Path("/dev/null").is_char_device()
    assert (run.directory / "reports" / "report.json").is_file()


def test_a_path_setting_with_a_line_break_prints_no_command(run_suite):
    env = {"WA_DOCTOR_SIMULATE": "healthy", "WA_DOCTOR_SARIF": "out.sarif\n::error::from-a-file"}

    run = run_suite(env=env)

    assert not [line for line in run.stdout.splitlines() if line.lstrip().startswith("::")]
