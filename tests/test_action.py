"""The GitHub Action (``action.yml``) run the way the runner runs a composite action: each
``run`` step in bash, in order, ``${{ … }}`` expanded, with ``GITHUB_OUTPUT``,
``GITHUB_STEP_SUMMARY`` and ``GITHUB_ACTIONS=true`` set; a step after a failed one runs only
with ``if: always()``. The ``uses`` steps (setup-python, cache, upload-artifact) are GitHub's
own: their inputs are checked, not run."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import yaml

from conftest import CONFIG_VARIABLES, REPO, clean_copy, venv_with_this_interpreters_packages

GIT_IDENTITY = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
}
ACTION = yaml.safe_load((REPO / "action.yml").read_text("utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def run_action(tmp_path: Path, inputs: dict[str, str], env: dict[str, str]) -> dict:
    """Run the action's steps; what the runner would show: each step's exit code, the outputs,
    the job summary and the log."""
    venv = venv_with_this_interpreters_packages(tmp_path / "runner-python")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    files = {name: tmp_path / name for name in ("output", "summary")}
    for file in files.values():
        file.write_text("", "utf-8")
    context = {
        "github.action_path": str(clean_copy(tmp_path / "action")),
        "github.run_id": "7",
        **{f"inputs.{k}": str(v.get("default", "")) for k, v in ACTION["inputs"].items()},
        **{f"inputs.{k}": v for k, v in inputs.items()},
    }

    def expand(text: str) -> str:
        return EXPRESSION.sub(lambda m: context[m.group(1)], text)

    base = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    base |= {
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(files["output"]),
        "GITHUB_STEP_SUMMARY": str(files["summary"]),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        **env,
    }
    codes, log, failed = {}, "", False
    for step in ACTION["runs"]["steps"]:
        if "run" not in step or (failed and step.get("if") != "always()"):
            continue
        step_env = {k: expand(str(v)) for k, v in (step.get("env") or {}).items()}
        done = subprocess.run(
            ["bash", "-e", "-c", expand(step["run"])],
            cwd=workspace,
            env={**base, **step_env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        codes[step.get("id") or step["name"]] = done.returncode
        log += done.stdout + done.stderr
        failed = failed or done.returncode != 0
    outputs = dict(line.split("=", 1) for line in files["output"].read_text().splitlines())
    return {
        "codes": codes,
        "outputs": outputs,
        "summary": files["summary"].read_text("utf-8"),
        "log": log,
        "reports": workspace / context["inputs.report-dir"],
    }


def test_a_failing_diagnosis_fails_the_step_and_leaves_summary_annotations_and_reports(tmp_path):
    run = run_action(tmp_path, {"language": "en"}, {"WA_DOCTOR_SIMULATE": "expired"})

    assert run["codes"]["diagnose"] == 1, run["log"]
    assert run["outputs"]["exit-code"] == "1"
    assert "**✗ 1 problem**" in run["summary"] and "`token.expired`" in run["summary"]
    assert "::error title=The token expired (token.expired)::" in run["log"]
    assert {p.name for p in run["reports"].iterdir()} >= {"report.html", "report.json"}
    assert (run["reports"] / "wa-doctor.sarif").is_file()


def test_the_uses_steps_keep_the_baseline_and_upload_the_reports_even_on_failure():
    steps = ACTION["runs"]["steps"]
    names = [s.get("uses", "").split("@")[0] for s in steps]
    diagnose = next(i for i, s in enumerate(steps) if s.get("id") == "diagnose")
    restore, upload = names.index("actions/cache/restore"), names.index("actions/upload-artifact")
    save = names.index("actions/cache/save")
    assert restore < diagnose < upload < save
    assert steps[upload]["if"] == steps[save]["if"] == "always()"
    assert steps[upload]["with"]["path"] == "${{ inputs.report-dir }}"
    assert steps[restore]["with"]["path"] == steps[save]["with"]["path"]
    assert ACTION["outputs"]["exit-code"]["value"] == "${{ steps.diagnose.outputs.exit-code }}"


def test_the_readmes_step_uses_only_the_inputs_the_action_declares():
    readme = (REPO / "README.md").read_text("utf-8")
    block = readme.split("## As a CI health check", 1)[1].split("```yaml\n", 1)[1].split("```")[0]

    steps = yaml.safe_load(block)["jobs"]["doctor"]["steps"]
    (step,) = [s for s in steps if s.get("uses") == "OWNER/REPO@TAG"]
    (upload,) = [s for s in steps if "upload-sarif" in s.get("uses", "")]

    assert upload["if"] == "always()" and upload["with"]["sarif_file"] == "reports/wa-doctor.sarif"
    assert set(step["with"]) <= set(ACTION["inputs"])
    assert all(v.startswith("${{ secrets.") for v in step["env"].values())
    for name in ACTION["inputs"]:
        assert f"`{name}`" in readme, name


def test_the_gitlab_template_installs_the_doctor_and_keeps_reports_and_baseline():
    template = yaml.safe_load((REPO / "ci" / "whatsapp-doctor.gitlab-ci.yml").read_text("utf-8"))

    job = template[".whatsapp-doctor"]

    install, diagnose = job["script"]
    assert install == 'python -m pip install "wa-doctor @ ${WA_DOCTOR_SOURCE}"'
    assert diagnose == "wa-doctor check --junitxml=reports/junit.xml"
    assert job["cache"]["paths"] == ["reports/report.json", "reports/history.jsonl"]
    assert job["cache"]["when"] == "always"
    assert job["artifacts"]["when"] == "always" and job["artifacts"]["paths"] == ["reports/"]


def test_the_readmes_gitlab_include_runs_the_template_as_written(tmp_path):
    """GitLab's ``extends`` merges the README's job into the template's; its script is run as
    the runner would, with the doctor installed from a tag of a clone of this repository."""
    readme = (REPO / "README.md").read_text("utf-8")
    block = readme.split("For GitLab CI, include", 1)[1].split("```yaml\n", 1)[1].split("```")[0]
    given = yaml.safe_load(block)
    template = yaml.safe_load((REPO / "ci" / "whatsapp-doctor.gitlab-ci.yml").read_text("utf-8"))
    (include,) = given.pop("include")
    (job,) = given.values()
    assert include["remote"].endswith("/ci/whatsapp-doctor.gitlab-ci.yml")
    merged = {**template[job.pop("extends")], **job}
    merged["variables"] = {**template[".whatsapp-doctor"]["variables"], **job["variables"]}
    source = clean_copy(tmp_path / "doctor")
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "v1"], ["tag", "v1"]):
        subprocess.run(["git", *command], cwd=source, env=GIT_IDENTITY, check=True)
    variables = {
        k: str(v).replace("https://HOST/OWNER/REPO@TAG", f"file://localhost{source}@v1")
        for k, v in merged["variables"].items()
    }
    venv = venv_with_this_interpreters_packages(tmp_path / "runner-python")
    workspace = tmp_path / "crm"
    workspace.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES} | variables
    env |= {"PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "WA_DOCTOR_SIMULATE": "expired"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")

    codes = [
        subprocess.run(
            ["bash", "-e", "-c", line], cwd=workspace, env=env, capture_output=True, timeout=300
        ).returncode
        for line in merged["script"]
    ]

    assert codes == [0, 1], "installed, then a red diagnosis fails the job"
    assert (workspace / "reports" / "junit.xml").is_file()
    assert merged["artifacts"]["reports"]["junit"] == "reports/junit.xml"
    assert merged["rules"] == job["rules"] and merged["cache"]["when"] == "always"
