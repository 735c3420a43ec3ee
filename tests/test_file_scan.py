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
    return {f.id: dict(f.params) for f in found.findings}


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

    assert found["scan.token_staged"]["locations"] == ("src/send.js:2",)
    assert found["scan.token_staged"]["token"] == f"{token[:6]}…({len(token)})"


@pytest.mark.parametrize(
    "line",
    ["NEXT_PUBLIC_WA_TOKEN={t}", "export VITE_WHATSAPP='{t}'", "  REACT_APP_WA: {t}"],
)
def test_a_token_under_a_public_name_is_the_public_variable_finding(tmp_path, line):
    found = scanned(tmp_path, {".env.production": "A=1\n" + line.format(t=fake_token()) + "\n"})

    assert set(found) == {"exposure.public_env_name"}
    assert found["exposure.public_env_name"]["locations"] == (".env.production:2",)


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


def test_binary_and_special_files_are_not_searched_and_what_cannot_be_read_is_named(tmp_path):
    token = fake_token()
    os.mkfifo(tmp_path / "pipe")  # reading it would wait for a writer forever
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\0" + token.encode())

    found = file_scan.scan(
        [file_scan.Path(n) for n in ("logo.png", "pipe", "gone.js", ".")], load(), TODAY
    )

    assert found.findings == []
    assert [(str(path), why) for path, why in found.unread] == [
        ("pipe", "not a file"),
        ("gone.js", "not found"),
        (".", "not a file"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "fetch(`/x?access_token=${{t}}`) // {t}",
        "const url = 'https://graph.facebook.com/v25.0/me?access_token%3D{t}'",
        "Authorization: Bearer%20{t}",
        "WA_TOKEN_{t}",
    ],
    ids=["code", "url-encoded", "header", "snake-case"],
)
def test_a_token_is_found_wherever_it_is_written(tmp_path, line):
    found = scanned(tmp_path, {"notes.txt": line.format(t=fake_token()) + "\n"})

    assert set(found) == {"scan.token_staged"}


def test_a_large_file_is_read_whole_and_a_huge_number_is_no_version(tmp_path):
    token = fake_token()
    found = scanned(
        tmp_path,
        {
            "bundle.js": "x" * (3 << 20) + f"\nconst t = '{token}';\n",
            "odd.txt": "graph.facebook.com/v" + "1" * 5000 + ".0\n",
        },
    )

    assert found["scan.token_staged"]["locations"] == ("bundle.js:2",)
    assert len(found) == 1


def test_the_command_prints_each_finding_with_its_remedy_and_fails(tmp_path, capsys):
    token = fake_token()
    (tmp_path / "send.js").write_text(f"const t = '{token}';\n")

    code = cli.main(["scan", "--lang", "en", "send.js"])

    out = capsys.readouterr().out
    assert code == 1
    assert "A Meta token was about to be committed  [scan.token_staged, error]" in out
    assert "send.js:1 holds a Meta access token" in out and "WHATSAPP_ACCESS_TOKEN" in out
    assert token not in out and token[:12] not in out


def test_the_token_is_never_shown_even_inside_a_file_name(tmp_path, capsys):
    token = fake_token()
    name = f"cfg_{token}.js"
    (tmp_path / name).write_text(f"const t = '{token}';\n")

    code = cli.main(["scan", name, f"missing_{token}.js"])

    out, err = capsys.readouterr()
    assert code == 1 and "scan.token_staged" in out and "not found" in err
    assert token not in out + err and token[:12] not in out + err


def test_a_warning_passes_unless_asked_to_fail_and_a_clean_file_prints_nothing(tmp_path, capsys):
    (tmp_path / "a.ts").write_text("const u = 'https://graph.facebook.com/v21.0/'\n")
    (tmp_path / "b.ts").write_text("const u = process.env.WHATSAPP_ACCESS_TOKEN;\n")

    assert cli.main(["scan", "b.ts"]) == 0 and capsys.readouterr().out == ""
    assert cli.main(["scan", "a.ts"]) == 0  # v21.0 ends on 2027-01-21: a warning on TODAY
    assert cli.main(["scan", "--fail-on", "warning", "a.ts"]) == 1
    assert "Graph API" in capsys.readouterr().out  # Spanish by default, Meta's name kept
