"""``wa-doctor scan FILE…``, the pre-commit hook's checks: a Meta token in a file or under a
browser-public name, and a retired Graph version in a URL, found with no secret, network or
database, and said with a preview of the token only."""

from __future__ import annotations

import os
from datetime import date

import pytest

from conftest import fake_token
from wa_doctor import cli, file_scan
from wa_doctor.catalog import load

TODAY = date(2026, 12, 2)


def scanned(tmp_path, files: dict[str, str | bytes]) -> dict[str, dict]:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    found = file_scan.scan([file_scan.Path(name) for name in files], load(), TODAY)
    return {f.id: dict(f.params) for f in found}


@pytest.fixture(autouse=True)
def in_the_repository(tmp_path, monkeypatch):
    """pre-commit runs the hook at the repository's root, with paths from there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "date", _Today)


class _Today(date):
    """The command's today: the catalog's version table judged on a fixed date."""

    @classmethod
    def today(cls) -> date:
        return TODAY


def test_a_token_in_code_is_found_at_its_file_and_line_and_shown_as_a_preview(tmp_path):
    token = fake_token()
    found = scanned(tmp_path, {"src/send.js": f"const a = 1;\nconst t = '{token}';\n"})

    assert found["scan.token_staged"]["location"] == "src/send.js:2"
    assert found["scan.token_staged"]["token"] == f"{token[:6]}…({len(token)})"


@pytest.mark.parametrize(
    "line",
    ["NEXT_PUBLIC_WA_TOKEN={t}", "export VITE_WHATSAPP='{t}'", "  REACT_APP_WA: {t}"],
)
def test_a_token_under_a_public_name_is_the_public_variable_finding(tmp_path, line):
    found = scanned(tmp_path, {".env.production": "A=1\n" + line.format(t=fake_token()) + "\n"})

    assert set(found) == {"exposure.public_env_name"}
    assert found["exposure.public_env_name"]["location"] == ".env.production:2"


def test_graph_versions_in_urls_are_judged_by_the_dated_table(tmp_path):
    found = scanned(
        tmp_path,
        {
            "lib/old.ts": "fetch(`https://graph.facebook.com/v17.0/${id}/messages`)\n",
            "lib/ending.ts": "const u = 'https://graph.facebook.com/v21.0/'\n",
            "lib/current.ts": "const u = 'https://graph.facebook.com/v25.0/'\n",
        },
    )

    assert found["api.code_version_unsupported"]["places"] == "lib/old.ts:1"
    assert found["api.code_version_ending"]["places"] == "lib/ending.ts:1"
    assert len(found) == 2


def test_binary_huge_and_special_files_are_not_read(tmp_path):
    token = fake_token()
    huge = b"x" * file_scan.MAX_BYTES + token.encode()
    os.mkfifo(tmp_path / "pipe")  # reading it would wait for a writer forever
    found = scanned(tmp_path, {"logo.png": b"\x89PNG\0" + token.encode(), "dump.sql": huge})
    found |= {f.id: f.params for f in file_scan.scan([tmp_path / "pipe"], load(), TODAY)}

    assert found == {}


def test_the_command_prints_each_finding_with_its_remedy_and_fails(tmp_path, capsys):
    token = fake_token()
    (tmp_path / "send.js").write_text(f"const t = '{token}';\n")

    code = cli.main(["scan", "--lang", "en", "send.js"])

    out = capsys.readouterr().out
    assert code == 1
    assert "A Meta token was about to be committed  [scan.token_staged, error]" in out
    assert "send.js:1 holds a Meta access token" in out and "WHATSAPP_ACCESS_TOKEN" in out
    assert token not in out and token[:12] not in out


def test_a_warning_passes_unless_asked_to_fail_and_a_clean_file_prints_nothing(tmp_path, capsys):
    (tmp_path / "a.ts").write_text("const u = 'https://graph.facebook.com/v21.0/'\n")
    (tmp_path / "b.ts").write_text("const u = process.env.WHATSAPP_ACCESS_TOKEN;\n")

    assert cli.main(["scan", "b.ts"]) == 0 and capsys.readouterr().out == ""
    assert cli.main(["scan", "a.ts"]) == 0  # v21.0 ends on 2027-01-21: a warning on TODAY
    assert cli.main(["scan", "--fail-on", "warning", "a.ts"]) == 1
    assert "Graph API" in capsys.readouterr().out  # Spanish by default, Meta's name kept
