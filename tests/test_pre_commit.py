"""The pre-commit hook (``.pre-commit-hooks.yaml``) as a CRM's developer meets it: pre-commit
installs this repository into a hook environment of its own (from the package index, as for any
hook) and runs it on the staged files. A leaked token stops the commit; a clean one passes."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from conftest import REPO, clean_copy, fake_token

IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
}


def test_the_hook_is_declared_for_every_staged_text_file():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))

    assert hook["id"] == "wa-doctor-scan" and hook["entry"] == "wa-doctor scan"
    assert hook["language"] == "python" and hook["types"] == ["text"]
    assert hook["id"] in (REPO / "README.md").read_text("utf-8")


def test_a_staged_public_token_stops_the_commit(tmp_path):
    """One run: ``try-repo`` installs the hook in a new environment every time (~20 s); that
    a clean file passes is ``wa-doctor scan``'s own test (test_file_scan.py)."""
    env = {
        **os.environ,
        **IDENTITY,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_CONSTRAINT": str(REPO / "constraints.txt"),  # the releases the tests pin
    }
    hooks = clean_copy(tmp_path / "doctor")  # pre-commit installs a hook from a commit
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "doctor"]):
        subprocess.run(["git", *command], cwd=hooks, env=env, check=True)
    crm = tmp_path / "crm"
    crm.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=crm, check=True)
    token = fake_token()
    (crm / ".env.production").write_text(f"NEXT_PUBLIC_WA_TOKEN={token}\n")
    (crm / "page.tsx").write_text("export default function Page() { return null }\n")
    subprocess.run(["git", "add", ".env.production", "page.tsx"], cwd=crm, check=True)

    leaked = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "wa-doctor-scan"],
        cwd=crm,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert leaked.returncode == 1, leaked.stdout + leaked.stderr
    assert "wa-doctor-scan" in leaked.stdout and "Failed" in leaked.stdout
    assert "[exposure.public_env_name, error]" in leaked.stdout
    assert "NEXT_PUBLIC_WA_TOKEN (.env.production:1)" in leaked.stdout
    assert token not in leaked.stdout + leaked.stderr and token[:12] not in leaked.stdout
    assert not (crm / ".git" / "hooks" / "pre-commit").exists(), "try-repo installs nothing"
