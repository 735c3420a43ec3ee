"""``wa-doctor check`` is the diagnosis from any folder, also after a plain (non-editable)
install: the checks ship inside the package, and the run is rooted where the user is."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONFIG_VARIABLES, clean_copy, venv_with_this_interpreters_packages
from wa_doctor import simulator
from wa_doctor.cli import main
from wa_doctor.config import load_config
from wa_doctor.errors import ConfigError
from wa_doctor.settings import SETTINGS


def test_check_runs_the_installed_checks_from_any_folder(tmp_path: Path):
    venv = venv_with_this_interpreters_packages(tmp_path / "venv")
    python = venv / "bin" / "python"
    install = [python, "-m", "pip", "install", "-q", "--no-deps"]
    subprocess.run([*install, str(clean_copy(tmp_path / "src"))], check=True, capture_output=True)
    crm = tmp_path / "crm"
    crm.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    # The project the virtualenv lives in has pytest settings of its own, for its own tests:
    # options of plugins the diagnosis does not load, and warnings as errors; and a conftest.py
    # that needs the project's app.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = "--cov=app -n auto"\nfilterwarnings = ["error"]\n'
    )
    (tmp_path / "conftest.py").write_text("import app_that_is_not_installed\n")

    located = subprocess.run(
        [python, "-c", "import wa_doctor.diagnostics as d; print(d.__file__)"],
        cwd=crm,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    done = subprocess.run(
        [venv / "bin" / "wa-doctor", "check", "-q", "--wa-simulate", "healthy", "-p", "no:xdist"],
        cwd=crm,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )

    assert str(venv) in located.stdout, "the installed copy, not the checkout"
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((crm / "reports" / "report.json").read_text("utf-8"))
    assert report["summary"]["failed"] == 0 and report["summary"]["passed"] > 20
    assert (crm / "reports" / "report.html").is_file()
    assert [p.name for p in crm.iterdir()] == ["reports"], "nothing else is left in the CRM"
    assert list((tmp_path / "cache" / "wa-doctor").glob("*/v/cache")), "--lf still works"


def test_check_keeps_pytest_exit_codes(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}

    done = subprocess.run(
        [sys.executable, "-m", "wa_doctor.cli", "check", "-q", "--wa-timeout", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )

    assert done.returncode == 4, done.stdout + done.stderr  # a usage error stays one
    assert "--wa-timeout" in done.stderr


def test_check_help_lists_the_doctors_own_options(capsys):
    assert main(["check", "--help"]) == 0

    shown = capsys.readouterr().out
    assert all(setting.option in shown and setting.env in shown for setting in SETTINGS)
    assert not re.search(r"\w-$", shown, re.MULTILINE), "no word cut at a hyphen"
    assert "reports/ in the folder\n      wa-doctor check runs in" in shown


def test_a_mistyped_option_gets_the_close_match_before_pytest_runs(capsys):
    assert main(["check", "--wa-simulte", "healthy"]) == 4

    assert "unknown option --wa-simulte; did you mean --wa-simulate?" in capsys.readouterr().err


def test_an_unknown_scenario_names_a_command_that_works_from_any_folder():
    with pytest.raises(ConfigError) as refused:
        simulator.start_for("expired-token", load_config({}, {}))

    assert "`wa-doctor check --wa-simulate list`" in str(refused.value)


@pytest.mark.parametrize("output", ["closed pipe", "full disk", "closed"])
def test_output_nobody_can_read_leaves_the_reports_and_the_exit_code(tmp_path, output):
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    reader, writer = os.pipe()
    os.close(reader)  # as `| head -1` does once it has its line: every write now fails
    stdout = {"closed pipe": writer, "full disk": os.open("/dev/full", os.O_WRONLY)}.get(output)

    done = subprocess.run(
        [sys.executable, "-m", "wa_doctor.cli", "check", "--wa-simulate", "session-logged-out"],
        cwd=tmp_path,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        timeout=120,
        preexec_fn=(lambda: os.close(1)) if output == "closed" else None,
    )
    os.close(writer)

    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    report = json.loads((tmp_path / "reports" / "report.json").read_text("utf-8"))
    assert report["summary"]["failed"] == 1
    assert (tmp_path / "reports" / "report.html").is_file()
