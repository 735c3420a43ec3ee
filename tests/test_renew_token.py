"""``wa-doctor renew-token`` against a real PostgreSQL and the Graph simulator.

The command runs as a user runs it (a subprocess, the token piped on stdin); every output is
checked for the tokens before a test looks at it.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CrmDatabase, SuiteRun, assert_no_secret
from wa_doctor.simulator import GraphSimulator, build
from wa_doctor.simulator.meta import expired_error
from wa_doctor.simulator.scenarios import add_tenants
from wa_doctor.simulator.world import TokenState, World, random_token

NOW = int(time.time())


@dataclass
class Setup:
    """Two businesses in the CRM table, the first with a dead token, and a third row inactive."""

    world: World
    server: GraphSimulator
    db: CrmDatabase
    rows: list[int]
    phones: list[str]

    def issue(self, business: int = 0, **changes: object) -> str:
        """A new token Meta issued for a business's WABA (``changes`` alter it)."""
        waba = self.world.phones[self.phones[business]].waba_id
        token = random_token()
        state = TokenState(self.world.app_id, "400000000000999", target_ids=(waba,))
        for name, value in changes.items():
            setattr(state, name, value)
        self.world.tokens[token] = state
        return token

    def table(self) -> dict[int, tuple]:
        rows = self.db.execute(
            "SELECT id, access_token, updated_at, activo FROM crm.marketing_channel_credential"
        )
        return {row[0]: row[1:] for row in rows}

    def env(self) -> dict[str, str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("WHATSAPP_", "WA_"))}
        environ.update(DATABASE_URL=self.db.url, WHATSAPP_GRAPH_URL=self.server.url)
        return environ

    def renew_first(self, token: str, *args: str, **options):
        """Renew the first business's row (the one with the dead token)."""
        return self.renew(token, "--credential", str(self.rows[0]), *args, **options)

    def renew(
        self,
        token: str,
        *args: str,
        cwd: Path,
        secrets: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ):
        done = subprocess.run(
            [sys.executable, "-m", "wa_doctor.cli", "renew-token", "--lang", "en", *args],
            input=token + "\n",
            capture_output=True,
            text=True,
            env=self.env() if env is None else env,
            cwd=cwd,
            timeout=60,
        )
        # the files in cwd are the env files the command exists to write: check what it says
        written = frozenset(str(p.relative_to(cwd)) for p in cwd.rglob("*"))
        said = SuiteRun(done.returncode, done.stdout, done.stderr, cwd, inputs=written)
        for secret in (token, *secrets):
            assert_no_secret(said, secret)
        return done


@pytest.fixture
def setup(crm_database: CrmDatabase, tmp_path: Path):
    (tmp_path / "reports").mkdir()
    world = build("healthy")
    tenants = add_tenants(world, 3)
    dead = random_token("EAAD")  # a token Meta never issued: what a bad copy looks like
    rows = [
        crm_database.add_credential(dead, tenants[0][1]),
        crm_database.add_credential(tenants[1][0], tenants[1][1]),
        crm_database.add_credential(tenants[2][0], tenants[2][1], active=False),
    ]
    server = GraphSimulator(world)
    server.start()
    yield Setup(world, server, crm_database, rows, [phone for _, phone in tenants])
    server.stop()


@pytest.mark.parametrize(
    ("case", "finding"),
    [
        ("never issued", "token.invalid"),
        ("expired", "token.expired"),
        ("without whatsapp_business_messaging", "token.scopes_missing"),
        ("for another business", "phone.unsupported_request"),
    ],
)
def test_a_bad_new_token_writes_nothing(setup, tmp_path, case, finding):
    token = {
        "never issued": lambda: random_token("EAAN"),
        "expired": lambda: setup.issue(error=expired_error(NOW - 3600, NOW)),
        "without whatsapp_business_messaging": lambda: setup.issue(
            scopes=("whatsapp_business_management", "business_management")
        ),
        "for another business": lambda: setup.issue(business=1),
    }[case]()
    before = setup.table()

    done = setup.renew_first(token, cwd=tmp_path)

    assert done.returncode == 1, done.stdout + done.stderr
    assert f"[{finding}]" in done.stdout
    assert "Nothing was written" in done.stdout
    assert setup.table() == before


def test_a_valid_token_changes_only_the_chosen_row_and_the_suite_then_passes(
    setup, tmp_path, run_suite
):
    token = setup.issue()
    before = setup.table()

    done = setup.renew_first(token, cwd=tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    after = setup.table()
    assert after[setup.rows[0]][0] == token
    assert after[setup.rows[0]][1] > before[setup.rows[0]][1], "updated_at moved"
    assert {k: v for k, v in after.items() if k != setup.rows[0]} == {
        k: v for k, v in before.items() if k != setup.rows[0]
    }, "the other active row and the inactive one are untouched"
    assert f"Row {setup.rows[0]} updated and verified" in done.stdout
    assert "Vercel" in done.stdout and "Redeploy" in done.stdout
    suite = run_suite(env={"DATABASE_URL": setup.db.url, "WHATSAPP_GRAPH_URL": setup.server.url})
    assert suite.exit_code == 0, suite.stdout


def test_several_active_rows_and_no_credential_is_refused(setup, tmp_path):
    before = setup.table()

    done = setup.renew(setup.issue(), cwd=tmp_path)

    assert done.returncode == 1
    assert "[renew.several_rows]" in done.stdout
    assert f"db{setup.rows[0]}-{setup.phones[0]}" in done.stdout
    assert setup.table() == before


def test_a_change_between_read_and_write_aborts_and_loses_nothing(setup, tmp_path):
    token = setup.issue()
    theirs = setup.issue()
    row = setup.rows[0]

    answer_debug_token = setup.server._debug_token

    def colleague_renews_meanwhile(caller: str, input_token: str):
        """While Meta validates our token, a colleague stores theirs in the same row."""
        setup.db.execute(
            "UPDATE crm.marketing_channel_credential SET access_token = %s, updated_at = now()"
            " WHERE id = %s",
            (theirs, row),
        )
        return answer_debug_token(caller, input_token)

    setup.server._debug_token = colleague_renews_meanwhile

    done = setup.renew(token, "--credential", str(row), cwd=tmp_path, secrets=(theirs,))

    assert done.returncode == 1, done.stdout
    assert "[db.concurrent_update]" in done.stdout
    assert setup.table()[row][0] == theirs, "the concurrent change is kept"


def test_a_temporary_token_needs_allow_temporary(setup, tmp_path):
    token = setup.issue(type="USER", expires_at=2_000_000_000)

    refused = setup.renew_first(token, cwd=tmp_path)
    accepted = setup.renew_first(token, "--allow-temporary", cwd=tmp_path)

    assert refused.returncode == 1 and "[token.temporary]" in refused.stdout
    assert accepted.returncode == 0, accepted.stdout
    assert "! " in accepted.stdout and "[token.temporary]" in accepted.stdout
    assert setup.table()[setup.rows[0]][0] == token


def test_dry_run_shows_previews_and_writes_nothing(setup, tmp_path):
    token = setup.issue()
    env_file = tmp_path / ".env.local"
    env_file.write_text("WHATSAPP_ACCESS_TOKEN=old-token-value-123456\n")
    before = setup.table()

    done = setup.renew_first(
        token,
        "--env-file",
        str(env_file),
        "--dry-run",
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stdout
    assert f"{token[:6]}…({len(token)})" in done.stdout
    assert "nothing was written" in done.stdout
    assert setup.table() == before
    assert env_file.read_text() == "WHATSAPP_ACCESS_TOKEN=old-token-value-123456\n"


ENV_LOCAL = """\
# CRM settings
NEXT_PUBLIC_SUPABASE_URL=https://example.supabase.co

export WHATSAPP_ACCESS_TOKEN="OLDTOKENoldtokenOLDTOKENoldtoken1234567890" # renewed by hand
WHATSAPP_PHONE_NUMBER_ID=106540352242922
# the end
"""


def test_env_file_changes_only_the_token_line_with_a_backup(setup, tmp_path):
    token = setup.issue()
    env_file = tmp_path / ".env.local"
    env_file.write_text(ENV_LOCAL)

    done = setup.renew_first(
        token,
        "--env-file",
        str(env_file),
        "--backup",
        cwd=tmp_path,
        secrets=("OLDTOKENoldtokenOLDTOKENoldtoken1234567890",),
    )

    assert done.returncode == 0, done.stdout
    old_lines, new_lines = ENV_LOCAL.splitlines(), env_file.read_text().splitlines()
    assert new_lines[3] == f'export WHATSAPP_ACCESS_TOKEN="{token}" # renewed by hand'
    assert new_lines[:3] + new_lines[4:] == old_lines[:3] + old_lines[4:]
    (backup,) = tmp_path.glob(".env.local.bak-*")
    assert backup.read_text() == ENV_LOCAL
    assert token[:12] not in backup.name


def test_a_failed_env_file_write_leaves_the_original_intact(tmp_path, monkeypatch):
    from wa_doctor import files

    env_file = tmp_path / ".env.local"
    env_file.write_text(ENV_LOCAL)

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        files.set_env_variable(env_file, "WHATSAPP_ACCESS_TOKEN", "EAANEW" + "x" * 60)

    assert env_file.read_text() == ENV_LOCAL
    assert [p.name for p in tmp_path.iterdir()] == [".env.local"], "no temporary file is left"


def test_with_nowhere_to_store_it_no_token_is_asked_for(setup, tmp_path):
    env = {k: v for k, v in setup.env().items() if k != "DATABASE_URL"}

    # standard input stays open and empty: a command that reads the token first never ends
    with subprocess.Popen(
        [sys.executable, "-m", "wa_doctor.cli", "renew-token", "--lang", "en"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    ) as command:
        try:
            command.wait(timeout=60)  # its few lines fit the pipe: it never waits on them
        except subprocess.TimeoutExpired:
            command.kill()
            pytest.fail("renew-token waited for a token it had nowhere to store")
        out = command.stdout.read()

    assert command.returncode == 1 and "[renew.nothing_to_update]" in out


def test_an_env_file_without_the_variable_gets_it_appended(tmp_path):
    from wa_doctor.files import set_env_variable

    env_file = tmp_path / ".env"
    env_file.write_text("A=1\n# note")

    change = set_env_variable(env_file, "WHATSAPP_ACCESS_TOKEN", "EAANEWTOKEN")

    assert change.appended and change.backup is None
    assert env_file.read_text() == "A=1\n# note\nWHATSAPP_ACCESS_TOKEN=EAANEWTOKEN\n"


def test_without_a_database_only_the_env_file_is_renewed(setup, tmp_path):
    token = setup.issue()
    env_file = tmp_path / ".env.local"
    env_file.write_text(f"WHATSAPP_PHONE_NUMBER_ID={setup.phones[0]}\nWHATSAPP_ACCESS_TOKEN=x\n")
    env = {k: v for k, v in setup.env().items() if k != "DATABASE_URL"}
    before = setup.table()

    nowhere = setup.renew(token, cwd=tmp_path, env=env)
    done = setup.renew(token, "--env-file", str(env_file), cwd=tmp_path, env=env)

    assert nowhere.returncode == 1 and "[renew.nothing_to_update]" in nowhere.stdout
    assert done.returncode == 0, done.stdout
    assert env_file.read_text().splitlines()[1] == f"WHATSAPP_ACCESS_TOKEN={token}"
    assert setup.table() == before


# -- never half done: everything checked before the row, the file kept as it was -----------------
def test_a_non_utf8_env_file_is_refused_before_the_row_is_written(setup, tmp_path):
    env_file = tmp_path / ".env.local"
    env_file.write_bytes(b"# caf\xe9\nWHATSAPP_ACCESS_TOKEN=old\n")
    before = setup.table()

    dry = setup.renew_first(setup.issue(), "--env-file", str(env_file), "--dry-run", cwd=tmp_path)
    real = setup.renew_first(setup.issue(), "--env-file", str(env_file), cwd=tmp_path)

    for done in (dry, real):
        assert done.returncode == 1, done.stdout
        assert "[renew.env_file_unusable]" in done.stdout and "not UTF-8" in done.stdout
        assert "Traceback" not in done.stderr
    assert setup.table() == before
    assert env_file.read_bytes() == b"# caf\xe9\nWHATSAPP_ACCESS_TOKEN=old\n"


def test_a_symlinked_env_file_is_written_through_and_stays_a_link(tmp_path):
    from wa_doctor.files import set_env_variable

    shared = tmp_path / "shared"
    shared.mkdir()
    real = shared / "crm.env"
    real.write_text("WHATSAPP_ACCESS_TOKEN=old\n")
    link = tmp_path / ".env.local"
    link.symlink_to(real)

    set_env_variable(link, "WHATSAPP_ACCESS_TOKEN", "EAANEW")

    assert link.is_symlink() and link.resolve() == real
    assert real.read_text() == "WHATSAPP_ACCESS_TOKEN=EAANEW\n"


def test_owner_group_and_mode_are_kept(tmp_path):
    from wa_doctor.files import set_env_variable

    env_file = tmp_path / ".env.local"
    env_file.write_text("WHATSAPP_ACCESS_TOKEN=old\n")
    env_file.chmod(0o640)
    if os.getuid() == 0:
        os.chown(env_file, 1234, 5678)
    before = env_file.stat()

    set_env_variable(env_file, "WHATSAPP_ACCESS_TOKEN", "EAANEW")

    after = env_file.stat()
    assert (after.st_mode, after.st_uid, after.st_gid) == (
        before.st_mode,
        before.st_uid,
        before.st_gid,
    )


def test_crlf_endings_and_a_byte_order_mark_are_kept(tmp_path):
    from wa_doctor.files import set_env_variable

    env_file = tmp_path / ".env.local"
    env_file.write_bytes(b"\xef\xbb\xbfWHATSAPP_ACCESS_TOKEN=old\r\nOTHER=1\r\n")

    change = set_env_variable(env_file, "WHATSAPP_ACCESS_TOKEN", "EAANEW")

    assert change.lines == (1,), "the BOM-prefixed first line is recognised, not appended to"
    assert env_file.read_bytes() == b"\xef\xbb\xbfWHATSAPP_ACCESS_TOKEN=EAANEW\r\nOTHER=1\r\n"


def test_a_multi_line_quoted_value_is_replaced_whole(tmp_path):
    from wa_doctor.files import set_env_variable

    env_file = tmp_path / ".env.local"
    env_file.write_text('A=1\nWHATSAPP_ACCESS_TOKEN="EAAold\ncontinued"\nB=2\n')

    set_env_variable(env_file, "WHATSAPP_ACCESS_TOKEN", "EAANEW")

    assert env_file.read_text() == 'A=1\nWHATSAPP_ACCESS_TOKEN="EAANEW"\nB=2\n'


def test_the_temporary_file_is_covered_by_env_ignore_rules_and_removed(tmp_path, monkeypatch):
    from wa_doctor import files

    env_file = tmp_path / ".env.local"
    env_file.write_text(ENV_LOCAL)
    temporary: list[str] = []

    def crash(source: str, destination: object) -> None:
        temporary.append(Path(source).name)
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        files.set_env_variable(env_file, "WHATSAPP_ACCESS_TOKEN", "EAANEW" + "x" * 60)

    assert temporary and temporary[0].startswith(".env.local.tmp-")  # matched by `.env*`
    assert [p.name for p in tmp_path.iterdir()] == [".env.local"]


def test_two_backups_in_the_same_second_keep_the_original(tmp_path):
    from datetime import datetime

    from wa_doctor.files import set_env_variable

    env_file = tmp_path / ".env.local"
    env_file.write_text("WHATSAPP_ACCESS_TOKEN=original\n")
    moment = datetime(2026, 11, 29, 12, 0, 0)

    first = set_env_variable(env_file, "WHATSAPP_ACCESS_TOKEN", "EAAONE", backup=True, now=moment)
    second = set_env_variable(env_file, "WHATSAPP_ACCESS_TOKEN", "EAATWO", backup=True, now=moment)

    assert first.backup != second.backup
    assert first.backup.read_text() == "WHATSAPP_ACCESS_TOKEN=original\n"
    assert second.backup.read_text() == "WHATSAPP_ACCESS_TOKEN=EAAONE\n"


def test_a_backup_cut_short_by_a_full_disk_is_removed_and_nothing_changes(tmp_path, monkeypatch):
    import errno

    from wa_doctor import files
    from wa_doctor.errors import EnvFileError

    env_file = tmp_path / ".env.local"
    env_file.write_text("WHATSAPP_ACCESS_TOKEN=original\n")

    def full_disk(source, target, *args):
        target.write(source.read(5))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.shutil, "copyfileobj", full_disk)

    with pytest.raises(EnvFileError, match="backup could not be written"):
        files.set_env_variable(env_file, "WHATSAPP_ACCESS_TOKEN", "EAANEW", backup=True)

    assert [p.name for p in tmp_path.iterdir()] == [".env.local"], "no partial backup is left"
    assert env_file.read_text() == "WHATSAPP_ACCESS_TOKEN=original\n"


def test_an_env_file_that_fails_after_the_row_says_the_state_and_the_command(
    setup, tmp_path, monkeypatch, capsys
):
    from wa_doctor import cli, files

    token = setup.issue()
    env_file = tmp_path / ".env.local"
    env_file.write_text("WHATSAPP_ACCESS_TOKEN=old\n")
    for name, value in setup.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", disk_full)
    code = cli.main(
        [
            "renew-token",
            "--lang",
            "en",
            "--credential",
            str(setup.rows[0]),
            "--env-file",
            str(env_file),
        ]
    )

    out = capsys.readouterr().out
    assert code == 1
    assert setup.table()[setup.rows[0]][0] == token
    assert f"Row {setup.rows[0]} already holds the new token" in out
    assert "No space left on device" in out
    assert f"--credential db{setup.rows[0]}-{setup.phones[0]} --env-file {env_file}" in out
    assert env_file.read_text() == "WHATSAPP_ACCESS_TOKEN=old\n"
    assert token[:12] not in out


def test_an_unknown_credential_is_refused_before_the_token_is_asked_for(setup, tmp_path):
    done = setup.renew(random_token("EAAZ"), "--credential", "db999-nothing", cwd=tmp_path)

    assert done.returncode == 1
    assert "[config.credential_not_found" in done.stdout
    found = f"db{setup.rows[0]}-{setup.phones[0]}"
    assert found in done.stdout  # what exists instead
    assert f"(like `{found}`)" in done.stdout and "--wa-credential db999" not in done.stdout


def test_renew_token_honours_the_simulator(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WHATSAPP_", "WA_"))}
    env.pop("DATABASE_URL", None)
    env_file = tmp_path / ".env.local"
    env_file.write_text("WHATSAPP_ACCESS_TOKEN=old\n")
    token = random_token("EAAN")

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "wa_doctor.cli",
            "renew-token",
            "--lang",
            "en",
            "--simulate",
            "healthy",
            "--env-file",
            str(env_file),
        ],
        input=token,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )

    assert done.returncode == 1
    assert "[token.invalid]" in done.stdout, done.stdout + done.stderr  # the simulator answered
    assert env_file.read_text() == "WHATSAPP_ACCESS_TOKEN=old\n"
    assert token[:12] not in done.stdout + done.stderr
