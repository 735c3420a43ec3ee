"""``wa-doctor check`` asks Graph before pytest has started, and only when the run is whole:
the plugin takes that doctor over, so no request is made twice, or for a check that will not
run, and the diagnosis is the one ``pytest diagnostics/`` gives."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections import Counter

import pytest
from test_concurrency import REQUESTS_PER_CREDENTIAL, fleet  # noqa: F401  (a fixture)

from conftest import CONFIG_VARIABLES
from wa_doctor import early_start


@pytest.mark.parametrize(
    "args",
    [[], ["-q"], ["-vv", "--tb=short", "-rA"], ["--junitxml", "j.xml"], ["-p", "no:html"]],
)
def test_a_whole_run_starts_early(args):
    assert early_start.options_if_whole_run(args) is not None


@pytest.mark.parametrize(
    "args",
    [
        ["-k", "token"],
        ["--lf"],
        ["--co"],
        ["diagnostics/test_1_configuration.py"],
        ["-p", "some_plugin"],
        ["--junitxml"],
        ["--wa-strict=yes"],
        ["--wa-simulate", "list"],
        ["--unknown-to-this-module"],
    ],
)
def test_anything_that_may_narrow_the_run_leaves_it_to_pytest(args):
    assert early_start.options_if_whole_run(args) is None


def test_the_options_are_read_as_pytest_reads_them(monkeypatch):
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    options = early_start.options_if_whole_run(
        ["--wa-lang=en", "--wa-strict", "-q", "--wa-concurrency", "3"]
    )

    assert options is not None
    assert (options["lang"], options["strict"], options["concurrency"]) == ("en", "true", "3")
    assert options["simulate"] is None


@pytest.mark.parametrize(
    ("variable", "value"), [("PYTEST_ADDOPTS", "-k token"), ("PYTEST_PLUGINS", "mine")]
)
def test_what_pytest_adds_from_the_environment_leaves_the_run_to_pytest(
    monkeypatch, variable, value
):
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    monkeypatch.delenv("PYTEST_PLUGINS", raising=False)
    assert early_start.options_if_whole_run([]) is not None

    monkeypatch.setenv(variable, value)

    assert early_start.options_if_whole_run([]) is None


def test_the_requests_start_at_once_and_are_handed_over_once(fleet, monkeypatch):  # noqa: F811
    server, env = fleet(3)
    for name in CONFIG_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    factory = logging.getLogRecordFactory()

    early_start.start(["-q"])
    deadline = time.monotonic() + 60
    while len(server.seen) < 3 * REQUESTS_PER_CREDENTIAL and time.monotonic() < deadline:
        time.sleep(0.01)
    options = early_start.options_if_whole_run(["-q"])
    assert early_start.take({**options, "lang": "en"}) is None, "other options: not this doctor"
    early_start.finish()

    assert len(server.seen) == 3 * REQUESTS_PER_CREDENTIAL
    assert logging.getLogRecordFactory() is factory


def test_the_command_asks_each_thing_once_and_finds_what_pytest_finds(
    fleet,  # noqa: F811
    run_suite,
    tmp_path,
):
    server, env = fleet(3)
    command_env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES} | env
    command_env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    wa_doctor = [
        sys.executable,
        "-c",
        "import sys; from wa_doctor.cli import main; sys.exit(main())",
    ]

    done = subprocess.run(
        [*wa_doctor, "check", "-q", "--wa-report-dir", str(tmp_path / "reports")],
        cwd=tmp_path,
        env=command_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    by_command = Counter(s.key() for s in server.seen)
    server.seen.clear()
    suite = run_suite(env=env)

    assert done.returncode == suite.exit_code == 0, done.stdout + done.stderr
    assert sum(by_command.values()) == 3 * REQUESTS_PER_CREDENTIAL
    assert max(by_command.values()) == 1, "a request made twice"
    assert Counter(s.key() for s in server.seen) == by_command
