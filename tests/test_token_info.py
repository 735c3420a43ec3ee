"""``wa-doctor token-info``: what Meta's Access Token Debugger shows, for the configured or a
piped token, in both languages, with the token only ever as a preview."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import CONFIG_VARIABLES, SuiteRun, assert_no_secret, fake_token


def token_info(*args: str, stdin: str = "", env: dict[str, str] | None = None):
    environ = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "wa_doctor.cli", "token-info", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
    )


def test_a_sixty_day_system_user_token_is_described_like_the_debugger(tmp_path):
    done = token_info("--simulate", "system-user-60-day", "--lang", "en")

    assert done.returncode == 0, done.stderr
    lines = dict(line.split("  ", 1) for line in done.stdout.splitlines())
    assert lines["Type"].strip() == "SYSTEM_USER"
    assert lines["Valid"].strip() == "yes"
    assert lines["Expires"].strip().endswith("UTC")
    assert "whatsapp_business_messaging: " in lines["Granular scopes (WABA)"]


def test_a_piped_token_meta_does_not_know_is_not_valid_and_never_printed(tmp_path):
    token = fake_token("EAAP")

    done = token_info("--simulate", "healthy", "--lang", "es", stdin=token + "\n")

    assert done.returncode == 1
    assert "Válido" in done.stdout and "Error de Meta" in done.stdout
    assert f"{token[:6]}…({len(token)})" in done.stdout
    assert_no_secret(SuiteRun(done.returncode, done.stdout, done.stderr, tmp_path), token)


def test_without_a_token_it_says_what_to_set_and_only_what_it_reads():
    done = token_info("--lang", "en")

    assert done.returncode == 4  # a usage error, as every subcommand's
    assert "WHATSAPP_ACCESS_TOKEN" in done.stderr and "token-info < " in done.stderr
    assert "{" not in done.stderr, "no sentence with a hole"
    assert "DATABASE_URL" not in done.stderr, "token-info does not read the database"


def test_an_option_it_does_not_have_is_a_usage_error():
    for command in (["token-info"], ["checks"], ["explain", "100"]):
        done = subprocess.run(
            [sys.executable, "-m", "wa_doctor.cli", *command, "--bogus-flag"],
            capture_output=True,
            text=True,
            timeout=60,
        )

        assert done.returncode == 4, command
        assert "unrecognized arguments: --bogus-flag" in done.stderr


def test_a_date_no_calendar_has_is_shown_as_the_number_meta_sent():
    from wa_doctor.checks.token import when
    from wa_doctor.tokens import TokenInfo

    info = TokenInfo.from_debug({"data": {"is_valid": True, "expires_at": 1e999}})

    assert info.expires_at is None  # JSON's infinity is no time at all
    assert when(10**20) == str(10**20)
    assert when(1_767_225_600) == "2026-01-01 00:00 UTC"


def test_a_columns_mistake_is_a_usage_error_not_a_traceback():
    for command in ("token-info", "renew-token"):
        done = subprocess.run(
            [sys.executable, "-m", "wa_doctor.cli", command],
            input="",
            capture_output=True,
            text=True,
            env={**os.environ, "WA_DOCTOR_DB_COLUMNS": "bogus"},
            timeout=60,
        )

        assert done.returncode == 4, command
        assert "--wa-db-columns: 'bogus' is not NAME=COLUMN" in done.stderr
        assert "Traceback" not in done.stderr


def test_a_token_no_request_can_carry_is_described_as_malformed(tmp_path):
    token = fake_token("EAAZ")
    pasted = token[:30] + "\u200b" + token[30:]

    done = token_info("--simulate", "healthy", "--lang", "en", stdin=pasted)

    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "[config.malformed_token" in done.stdout and "non-ASCII" in done.stdout
    assert_no_secret(SuiteRun(done.returncode, done.stdout, done.stderr, tmp_path), token)
