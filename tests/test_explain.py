"""`wa-doctor explain` turns any catalog code, or a logged error JSON, into its remedy."""

import json
import re

import pytest

from wa_doctor import catalog
from wa_doctor.cli import main

CATALOG = catalog.load()
CODES = sorted(
    {(code, sub) for fid in CATALOG.ids for code, sub in CATALOG.graph_codes(fid)},
    key=lambda pair: (pair[0], pair[1] or 0),
)


def explain(capsys, *args, stdin=None, monkeypatch=None):
    if stdin is not None:
        import io

        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["explain", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(("code", "subcode"), CODES, ids=lambda v: str(v))
def test_every_catalog_code_is_explained(capsys, code, subcode):
    text = f"{code}/{subcode}" if subcode else str(code)
    expected = CATALOG.for_graph_error(code, subcode)

    status, out, _ = explain(capsys, text, "--lang", "en")

    assert status == 0
    assert f"[{expected}, " in out
    assert CATALOG.render(catalog.Finding(expected), "en").title in out


def test_codes_in_a_permission_range_are_explained(capsys):
    status, out, _ = explain(capsys, "250")
    assert status == 0 and "[graph.permission_denied, error]" in out


def test_a_synchronous_graph_error_body(capsys):
    body = {
        "error": {
            "message": "(#131030) Recipient phone number not in allowed list",
            "type": "OAuthException",
            "code": 131030,
            "error_data": {
                "messaging_product": "whatsapp",
                "details": "Recipient phone number not in allowed list",
            },
            "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam",
        }
    }

    status, out, _ = explain(capsys, json.dumps(body), "--lang", "en")

    assert status == 0
    assert "[messaging.recipient_not_allowed, error]" in out
    assert "API Setup → To" in out


def test_a_webhook_payload_from_stdin(capsys, monkeypatch):
    details = (
        "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number."
    )
    error = {"code": 131047, "title": "Re-engagement message", "error_data": {"details": details}}
    webhook = {"entry": [{"changes": [{"value": {"statuses": [{"errors": [error]}]}}]}]}

    status, out, _ = explain(capsys, stdin=json.dumps(webhook), monkeypatch=monkeypatch)

    assert status == 0
    assert "[messaging.window_24h, error]" in out
    assert "Usa mensajes de plantilla" in out


def test_an_unknown_code_gets_the_generic_remedy_with_metas_words(capsys):
    status, out, _ = explain(capsys, json.dumps({"code": 999999, "message": "Strange thing"}))
    assert status == 0
    assert "[graph.error, error]" in out and "Strange thing" in out


def test_a_token_in_pasted_json_is_not_echoed(capsys):
    token = "EAA" + "Zq9" * 40
    status, out, _ = explain(capsys, json.dumps({"code": 190, "message": f"bad {token}"}))
    assert status == 0 and token not in out


def test_input_without_an_error_is_a_usage_error(capsys):
    status, _, err = explain(capsys, "not json")
    assert status == 2 and "not an error code nor JSON" in err
    status, _, err = explain(capsys, json.dumps({"hello": "world"}))
    assert status == 2 and "no object with a numeric 'code'" in err


def test_list_names_every_finding_with_its_title(capsys):
    from wa_doctor import catalog, cli

    assert cli.main(["explain", "--list", "--lang", "en"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(catalog.load().ids)
    assert "token.session_logged_out  Session invalid: the user logged out" in lines


def test_version_is_printed(capsys):
    from wa_doctor import __version__, cli

    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])

    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"wa-doctor {__version__}"


def test_checks_lists_every_check_with_what_it_reads_and_can_raise(capsys):
    from conftest import DIAGNOSTICS
    from wa_doctor import cli

    assert cli.main(["checks", "--lang", "en"]) == 0

    out = capsys.readouterr().out
    names = re.findall(
        r"^def test_(\w+)", "".join(p.read_text() for p in DIAGNOSTICS.glob("*.py")), re.M
    )
    for name in names:
        assert f"\n{name} — " in "\n" + out, name
    assert "token_valid — The token is valid\n    reads: GET /debug_token" in out
    listed = set(re.findall(r"\b[a-z]+\.[a-z_0-9]+\b", out.split("findings:", 1)[1]))
    assert listed - {"graph.*"} <= set(catalog.load().ids)


@pytest.mark.parametrize(
    ("code", "finding"),
    [
        ("131026", "messaging.undeliverable"),
        ("131049", "messaging.ecosystem_limit"),
        ("131050", "messaging.marketing_opt_out"),
        ("131042", "messaging.payment_issue"),
        ("131048", "messaging.spam_rate_limited"),
        ("131051", "messaging.unsupported_type"),
        ("131053", "messaging.media_upload_failed"),
        ("131056", "messaging.pair_rate_limited"),
        ("131021", "messaging.recipient_is_sender"),
        ("130472", "messaging.experiment"),
        ("132000", "messaging.template_params_mismatch"),
        ("132012", "messaging.template_param_format"),
        ("132015", "template.paused"),
        ("132016", "template.disabled"),
        ("133005", "phone.pin_mismatch"),
        ("133010", "phone.not_registered"),
        ("470", "messaging.window_24h"),
    ],
)
def test_delivery_errors_that_arrive_by_webhook_have_their_own_finding(code, finding):
    assert catalog.load().for_graph_error(int(code)) == finding
