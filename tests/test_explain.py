"""`wa-doctor explain` turns any catalog code, or a logged error JSON, into its remedy."""

import contextlib
import json
import re

import pytest

from conftest import growth
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

        raw = stdin if isinstance(stdin, bytes) else stdin.encode()
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
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
    assert status == 4 and "no error code found" in err
    status, _, err = explain(capsys, json.dumps({"hello": "world"}))
    assert status == 4 and "no error code found" in err


def test_list_names_every_finding_with_its_title(capsys):
    from wa_doctor import catalog, cli

    assert cli.main(["explain", "--list", "--lang", "en"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(catalog.load().ids)
    ids = [line.split()[0] for line in lines]
    assert ids == sorted(ids), "sorted by id, so an area's findings are together"
    (logged_out,) = [line for line in lines if line.startswith("token.session_logged_out ")]
    assert logged_out.endswith("  Session invalid: the user logged out")
    starts = {len(line) - len(line[len(i) :].lstrip()) for line, i in zip(lines, ids, strict=True)}
    assert len(starts) == 1, "the titles start in one column"


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
    assert "fetch_" not in out, "requests in words, never the library's function names"
    # what a check requests itself is listed too, and what it sends only on request says so
    subscription = out.split("webhooks_app_subscription — ", 1)[1].split("\n")[1]
    assert subscription == "    reads: GET /{app-id}/subscriptions (app token)"
    assert "POST /{phone-number-id}/messages (only with --wa-send-to)" in out
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


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("finding_id", CATALOG.ids)
def test_explain_never_prints_an_unfilled_placeholder_or_a_hole(finding_id, lang):
    from wa_doctor.explain import render_offline

    remedy = render_offline(catalog.Finding(finding_id), lang)

    texts = [remedy.title, remedy.message, *remedy.steps]
    for procedure in remedy.procedures:
        texts += [procedure.title, *procedure.steps, procedure.sql or "", procedure.command or ""]
    assert not [t for t in texts if "{" in t], finding_id
    assert "<" not in remedy.message + remedy.title, "a value nobody gave is left out"
    assert "—" not in remedy.message.replace(" — ", ""), "no sentence with a hole in it"


def test_a_log_line_with_json_inside_and_metas_prefix_are_explained(capsys, monkeypatch):
    line = (
        '2026-11-29 10:00 ERROR send failed: {"error": {"message": "(#131047) Re-engagement '
        'message", "code": 131047, "fbtrace_id": "AbC"}} (will retry)'
    )
    _, from_json, _ = explain(capsys, "-", "--lang", "en", stdin=line, monkeypatch=monkeypatch)
    _, from_prefix, _ = explain(
        capsys, "Graph said (#131026) Message Undeliverable", "--lang", "en"
    )

    assert "[messaging.window_24h, " in from_json
    assert "[messaging.undeliverable, " in from_prefix


def test_a_statuses_payload_with_several_errors_explains_each(capsys, monkeypatch):
    payload = {
        "entry": [
            {
                "changes": [
                    {
                        "value": {
                            "statuses": [
                                {"status": "failed", "errors": [{"code": 131049, "title": "x"}]},
                                {"status": "failed", "errors": [{"code": 131050, "title": "y"}]},
                            ]
                        }
                    }
                ]
            }
        ]
    }

    _, out, _ = explain(capsys, json.dumps(payload), "--lang", "en")

    assert "[messaging.ecosystem_limit, " in out and "[messaging.marketing_opt_out, " in out


def test_empty_input_is_a_usage_error(capsys, monkeypatch):
    status, _, err = explain(capsys, "-", stdin="  \n", monkeypatch=monkeypatch)

    assert status == 4 and "nothing to explain" in err


def test_the_language_comes_from_wa_doctor_lang(capsys, monkeypatch):
    monkeypatch.setenv("WA_DOCTOR_LANG", "en")

    _, out, _ = explain(capsys, "131047")

    assert "More than 24 hours" in out


@pytest.mark.parametrize(
    ("name", "content"),
    [(".env", "WA_DOCTOR_LANG=en\n"), ("wa-doctor.toml", 'lang = "en"\n')],
)
def test_the_language_is_read_where_the_suite_reads_it(
    capsys, monkeypatch, tmp_path, name, content
):
    monkeypatch.delenv("WA_DOCTOR_LANG", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(content)

    _, out, _ = explain(capsys, "131047")

    assert "More than 24 hours" in out


def test_a_settings_file_that_cannot_be_read_leaves_explain_in_spanish(
    capsys, monkeypatch, tmp_path
):
    monkeypatch.delenv("WA_DOCTOR_LANG", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wa-doctor.toml").write_text("lang = [unclosed\n")

    status, out, _ = explain(capsys, "131047")

    assert status == 0 and "más de 24 horas" in out


def test_output_into_a_closed_pipe_is_not_an_error(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        f"{sys.executable} -m wa_doctor.cli explain --list | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


# -- bounded: any input ends, linear in its size, each error once -------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda n: "{" * (8 * n),
        lambda n: "[" * (4 * n) + "x" + "]" * (4 * n),
        lambda n: "1" + " " * (8 * n) + "x",
        lambda n: '{"a": x}' * n,
        lambda n: "(#131047) " * n,
        lambda n: "{a: 1, " + "b" * (8 * n),
        lambda n: "{k: 'v', " * n,
        lambda n: "{a: 1, b: '" + "x" * (8 * n),
        lambda n: "}" * (8 * n) + "{a: 1, b: 2",
        lambda n: '{"error": {"code": 131047}}\n2026-12-01T11:00:00Z 131053: x\n' * (n // 8),
        lambda n: "{a: 1} " + "'\\" * (4 * n),
        lambda n: "{a: 1} " + '"\'\\"' * (2 * n),
    ],
    ids=[
        "open braces",
        "deep invalid list",
        "code then spaces",
        "broken objects",
        "prefixes",
        "node: a long bare word",
        "node: many bare keys",
        "node: an open quote",
        "node: lost braces",
        "json among log lines",
        "node: escaped quotes never closed",
        "node: both quotes never closed",
    ],
)
def test_worst_case_input_takes_time_linear_in_its_size(make):
    from wa_doctor.errors import ExplainError
    from wa_doctor.explain import parse

    def explain_quietly(text: str) -> None:
        with contextlib.suppress(ExplainError):
            parse(text)

    assert growth(explain_quietly, make) < 32


def test_json_searched_in_a_log_is_decoded_a_bounded_number_of_times(monkeypatch):
    from wa_doctor import explain as module

    decoded = []
    real = json.loads

    def counting(text, *args, **kwargs):
        decoded.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(module.json, "loads", counting)
    text = "[" * 5_000 + "x" + "]" * 5_000

    with pytest.raises(module.ExplainError):
        module.parse(text)

    assert sum(decoded) <= module.MAX_DEPTH * len(text)


def test_a_log_repeating_an_error_explains_it_once_with_its_count(capsys, monkeypatch):
    line = '{"error": {"message": "(#131047) Re-engagement message", "code": 131047, '
    log = "".join(f'{line}"fbtrace_id": "T{n}"}}}}\n' for n in range(500))

    status, out, _ = explain(capsys, "--lang", "en", stdin=log, monkeypatch=monkeypatch)

    assert status == 0
    assert out.count("[messaging.window_24h") == 1
    assert "Seen 500 times in the input." in out
    assert len(out) < 4_000, "the input is never echoed"


@pytest.mark.parametrize(
    "stdin",
    [
        b'{"code": 1e999}',
        b"[" * 100_000,
        b"\xff\xfe(#131047) not UTF-8",
        b'{"a":' * 2_000,
        b'{"error": {"code": ' + b"9" * 5_000 + b"}}",
    ],
    ids=["infinite code", "deep", "not utf-8", "deep objects", "5000-digit code"],
)
def test_hostile_input_is_an_explanation_or_a_usage_error_never_a_traceback(
    capsys, monkeypatch, stdin
):
    status, out, err = explain(capsys, stdin=stdin, monkeypatch=monkeypatch)

    assert (status, err.startswith("wa-doctor explain: ")) in ((0, False), (4, True))
    assert "Traceback" not in out + err


def test_explain_reads_a_file_it_is_given(capsys, tmp_path):
    log = tmp_path / "crm.log"
    log.write_bytes(b'2026-12-02 ERROR {"error": {"code": 190, "error_subcode": 463}}\n')

    status, out, _ = explain(capsys, str(log), "--lang", "en")

    assert status == 0 and "[token.expired" in out


def test_a_file_that_cannot_be_read_is_a_usage_error(capsys):
    status, _, err = explain(capsys, "/proc/self/mem")

    assert status == 4 and "cannot be read" in err


def test_a_token_cut_in_two_by_the_quote_limit_is_still_hidden(capsys, monkeypatch):
    token = "EAA" + "Abcdefghij" * 4
    body = json.dumps({"error": {"code": 100, "message": "a" * 976 + " " + token}})

    status, out, _ = explain(capsys, "--lang", "en", stdin=body, monkeypatch=monkeypatch)

    assert status == 0 and token[:20] not in out


def test_a_finding_id_from_a_report_is_explained_without_holes(capsys):
    status, out, _ = explain(capsys, "token.expired", "--lang", "en")

    assert status == 0 and out.startswith("The token expired  [token.expired, error]")
    assert "'—'" not in out and "{" not in out


def test_a_procedure_that_says_run_the_command_below_has_it_below(capsys):
    status, out, _ = explain(capsys, "190/467", "--lang", "en")

    assert status == 0
    said = out.index("Run the command below")
    assert "$ wa-doctor renew-token" in out[said:]


@pytest.mark.parametrize("given", ["token.expired", "190/467"])
@pytest.mark.parametrize(("lang", "placeholder"), [("es", "<ID_DE_LA_FILA>"), ("en", "<ROW_ID>")])
def test_an_explanation_s_update_names_one_row_to_fill_in_never_every_active_row(
    capsys, given, lang, placeholder
):
    from wa_doctor.cli import main

    assert main(["explain", given, "--lang", lang]) == 0

    update = capsys.readouterr().out.split("UPDATE ", 1)[1].split(";", 1)[0]
    assert update.rstrip().endswith(f"WHERE id = {placeholder}")
    assert "activo = true" not in update


def test_a_log_with_json_and_plain_lines_explains_every_error_once_dates_and_levels_aside(
    capsys, monkeypatch
):
    log = "\n".join(
        [
            '{"error": {"message": "(#131047) Re-engagement message", "code": 131047}}',
            "2026-12-01T11:00:00Z 131053: Media upload error — Unsupported file type",
            "[2026-12-01 12:00:00] ERROR API error 131008: (#131008) Required parameter is missing",
            '{"error": {"message": "(#131047) Re-engagement message", "code": 131047}}',
        ]
    )

    status, out, _ = explain(capsys, "--lang", "en", stdin=log, monkeypatch=monkeypatch)

    assert status == 0
    found = [line.split("[", 1)[1].split(",")[0] for line in out.splitlines() if "  [" in line]
    assert found == [
        "messaging.window_24h",
        "messaging.media_upload_failed",
        "messaging.required_parameter_missing",
    ]
    assert "Seen 2 times" in out


@pytest.mark.parametrize(
    ("pasted", "said"),
    [
        ("{ field: 'messages', value: { statuses: [ [Object] ] } }", "cut short"),
        ('{"field": "messages", "value": {"statuses": [{"status": "failed"}]}}', "no error code"),
        ('{"field": "account_update", "value": {"event": {"a": 1}}}', "no error code"),
        ('{"field": "account_update", "value": {"event": ["x"]}}', "no error code"),
        ('{"field": "EAAGm0ZDZDaB3dE5fG7hJ9kLaB3dE5fG7hJ9kL", "value": {"a": 1}}', "no error code"),
        ('{"field": "x\\n::error file=a::pwned", "value": {"a": 1}}', "no error code"),
    ],
    ids=["node cut short", "failed without code", "event object", "event list", "token", "newline"],
)
def test_nothing_to_fix_is_said_only_of_a_webhook_explain_can_vouch_for(
    capsys, monkeypatch, pasted, said
):
    status, out, err = explain(capsys, "--lang", "en", stdin=pasted, monkeypatch=monkeypatch)

    assert status == 4 and out == "" and said in err


def test_one_message_without_a_number_in_a_batch_is_news(capsys, monkeypatch):
    value = {
        "messages": [
            {"from": "16505551234", "from_user_id": "US.1", "type": "text"},
            {"from_user_id": "US.13491208655302741918", "type": "text"},
        ]
    }
    webhook = json.dumps(
        {"entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}
    )

    status, out, _ = explain(capsys, "--lang", "en", stdin=webhook, monkeypatch=monkeypatch)

    assert status == 0 and "[webhooks.user_without_phone, warning]" in out
