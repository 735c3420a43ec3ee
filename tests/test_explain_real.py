"""What CRMs really logged and Meta really sent, from other projects and users' threads (each
fixture in ``tests/fixtures/real/`` names its source), explained as a support team pastes it:
the fitting finding, Meta's words carried, no sentence with a hole, never the input echoed."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from wa_doctor.cli import main

REAL = Path(__file__).parent / "fixtures" / "real"

EXPLAINED = {
    "errors/100-2593002-ruby_whatsapp_sdk.json": (
        "template.missing",
        "The message template fake name wasn't found for this account.",
    ),
    "errors/100-33-get-ruby_whatsapp_sdk.json": ("phone.unsupported_request", "Unsupported get"),
    "errors/100-33-post-ruby_whatsapp_sdk.json": ("phone.unsupported_request", "Unsupported post"),
    "errors/100-mark-read-ruby_whatsapp_sdk.json": (
        "graph.invalid_parameter",
        "Please check the message ID you have provided.",
    ),
    "errors/136024-2388367-request-code-ptBR.json": (
        "phone.request_code_failed",
        "Você pediu um código de verificação muitas vezes",
    ),
    "errors/136024-2388091-request-code-logged.json": (
        "phone.request_code_failed",
        "Request code failed: Please try again in some time.",
    ),
    "errors/131000-tawn33y-33-node.json": ("graph.server_error", "AC1dtC9ImEGwkBiss2Xt0mA"),
    "errors/131062-meta-doc.json": ("messaging.bsuid_not_supported", "uses bid_spec"),
    "errors/100-00-prefix-gabrieldwight-31.json": ("graph.invalid_parameter", "Parameter Invalid"),
    "errors/100-frappe_whatsapp-43.json": (
        "graph.invalid_parameter",
        "Parameter 'text' is mandatory for component parameter type 'text'",
    ),
    "errors/100-nonexisting-field-pipedream-9004.json": (
        "graph.wrong_node",
        "nonexisting field (message_templates) on node type (Business)",
    ),
    "errors/131008-whatomate-501.json": (
        "messaging.required_parameter_missing",
        "buttons: Button at index 0 of type Url requires a parameter",
    ),
    "errors/131030-heyoo-94.json": (
        "messaging.recipient_not_allowed",
        "Recipient phone number not in allowed list",
    ),
    "errors/131037-megaapp977-stack-doc.json": (
        "phone.display_name_not_approved",
        "needs display name approval",
    ),
    "errors/131053-chatwoot-10682.json": ("messaging.media_upload_failed", "code 131053"),
    "errors/131053-chatwoot-13540.json": ("messaging.media_upload_failed", "http code 429"),
    "errors/131053-fazer-ai-chatwoot-439.json": (
        "messaging.media_upload_failed",
        "Unsupported Voice mime type audio/opus",
    ),
    "errors/131053-megaapp977-stack-253.json": (
        "messaging.media_upload_failed",
        "Request ratelimit by fwdproxy",
    ),
    "errors/131053-text-html-chatwoot-10428.json": (
        "messaging.media_upload_failed",
        "mime type text/html",
    ),
    "errors/132001-tawn33y-57.json": (
        "template.language_missing",
        "Template name does not exist in the translation",
    ),
    "webhooks/messages-user_without_phone-metadoc.json": (
        "webhooks.user_without_phone",
        "from_user_id US.13491208655302741918 · username @realsheenanelson",
    ),
    "webhooks/account_update-disabled_update-bindambc.json": (
        "waba.disable_scheduled",
        "waba_ban_state SCHEDULE_FOR_DISABLE · waba_ban_date January 31, 2021",
    ),
    "webhooks/account_update-account_restriction-pywa.json": (
        "waba.restricted",
        "restriction_type RESTRICTED_BIZ_INITIATED_MESSAGING",
    ),
    "webhooks/account_update-account_restriction-bindambc.json": (
        "waba.restricted",
        "restriction_type",
    ),
    "webhooks/account_update-account_violation-pywa.json": (
        "waba.policy_violation",
        "violation_type ADULT",
    ),
    "webhooks/message_template_status_update-rejected_scam-bindambc.json": (
        "template.rejected",
        "`schedule_confirmation4` (pt_BR)",
    ),
    "webhooks/message_template_status_update-rejected_invalid_format-metadoc.json": (
        "template.rejected",
        "reason INVALID_FORMAT",
    ),
    "webhooks/message_template_status_update-paused_second_pause-aclwhatsapp.json": (
        "template.paused",
        "paused for 6 hours until Aug 31",
    ),
    "webhooks/phone_number_quality_update-flagged-bindambc.json": (
        "phone.flagged",
        "current_limit TIER_10K",
    ),
    "webhooks/template_category_update-completed_utility_to_marketing-metadoc.json": (
        "template.category_changed",
        "previous_category UTILITY · new_category MARKETING",
    ),
    "webhooks/template_category_update-impending-metadoc.json": (
        "template.category_changed",
        "correct_category MARKETING",
    ),
    "webhooks/template_category_update-pywa.json": (
        "template.category_changed",
        "new_category MARKETING",
    ),
    "webhooks/messages_status_failed-131047-bindambc.json": (
        "messaging.window_24h",
        "code 131047",
    ),
    "webhooks/messages_status_failed-130472-pywa.json": ("messaging.experiment", "code 130472"),
    "webhooks/messages_status_failed-131049-metadoc.json": (
        "messaging.ecosystem_limit",
        "code 131049",
    ),
}
"""Each real payload: the finding it is, and words of Meta's the explanation must carry."""

NO_PROBLEM = [
    "webhooks/account_update-disabled_update-pywa.json",  # REINSTATE
    "webhooks/phone_number_quality_update-throughput_upgrade-metadoc.json",
    "webhooks/account_update-account_deleted-pywa.json",  # the user's own doing
    "webhooks/account_update-partner_removed_disconnection-pywa.json",
]
"""Real webhook changes that say nothing is wrong with the CRM's setup."""


def pasted(name: str) -> str:
    """The fixture as a support team would paste it: the logged text, or the webhook's JSON."""
    fixture = json.loads((REAL / name).read_text("utf-8"))
    assert fixture["source"], "every real payload names where it comes from"
    return fixture["text"] if "text" in fixture else json.dumps(fixture["payload"], indent=2)


def test_every_real_payload_is_held_to_an_explanation():
    on_disk = {str(p.relative_to(REAL)) for p in REAL.glob("*/*.json")}
    assert on_disk == set(EXPLAINED) | set(NO_PROBLEM)


@pytest.mark.parametrize("name", EXPLAINED, ids=str)
@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_real_payload_read_from_a_file_is_explained_in_meta_s_words(capsys, tmp_path, name, lang):
    finding_id, meta_said = EXPLAINED[name]
    text = pasted(name)
    log = tmp_path / "crm.log"
    log.write_text(text, "utf-8")

    code = main(["explain", str(log), "--lang", lang])
    out = capsys.readouterr().out

    assert code == 0
    assert f"[{finding_id}, " in out
    assert meta_said in out
    ours = out.splitlines()[1].split(meta_said)[0]  # before Meta's words: the doctor's own
    assert "{" not in ours and " — —" not in ours, ours
    steps = [line for line in out.splitlines() if line[:3].strip().rstrip(".").isdigit()]
    assert steps and not [step for step in steps if "{" in step]
    long_lines = [line for line in text.splitlines() if len(line) > 80]
    assert not any(line in out for line in long_lines), "the input is never echoed"


@pytest.mark.parametrize("name", NO_PROBLEM, ids=str)
def test_a_webhook_with_no_problem_says_there_is_nothing_to_fix_and_what_it_held(
    capsys, monkeypatch, name
):
    payload = json.loads((REAL / name).read_text("utf-8"))["payload"]
    (change,) = payload["entry"][0]["changes"]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(pasted(name).encode())))

    code = main(["explain", "-", "--lang", "en"])

    out = capsys.readouterr()
    assert code == 0 and out.err == ""
    assert out.out.startswith("✓ Nothing to fix") and "[" not in out.out
    assert change["field"] in out.out and change["value"].get("event", "") in out.out


@pytest.mark.parametrize(
    ("name", "code", "details"),
    [
        ("errors/131000-tawn33y-33-node.json", "code 131000/2494002", "Generic error"),
        (
            "errors/132001-tawn33y-57.json",
            "code 132001",
            "template name (cg_quest_text) does not exist in en_US",
        ),
    ],
)
def test_an_error_as_node_prints_it_is_one_error_with_its_details_and_trace(
    capsys, monkeypatch, name, code, details
):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(pasted(name).encode())))

    assert main(["explain", "-", "--lang", "en"]) == 0

    out = capsys.readouterr().out
    assert out.count("[") == 1, "the code and the message lines are one error, not two"
    assert code in out and details in out and "fbtrace_id A" in out


def test_the_method_meta_refused_is_the_one_said():
    for method, other in (("get", "post"), ("post", "get")):
        text = pasted(f"errors/100-33-{method}-ruby_whatsapp_sdk.json")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(["explain", text, "--lang", "en"])
        assert f"Unsupported {method} request" in out.getvalue()
        assert f"{other} request" not in out.getvalue()


def test_a_message_from_a_user_whose_number_came_too_is_nothing_to_fix(capsys, monkeypatch):
    payload = json.loads((REAL / "webhooks/messages-user_without_phone-metadoc.json").read_text())
    payload = payload["payload"]
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = "16505551234"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps(payload).encode())))

    assert main(["explain", "-", "--lang", "en"]) == 0

    assert capsys.readouterr().out.startswith("✓ Nothing to fix")
