"""Whatever foreign text a run meets (Meta's messages, database values, a tenant's names), every
output path stays valid and safe: report.json parses, no secret in any form, no line of the
terminal starts a GitHub Actions workflow command, no escape sequence, no raw markup in HTML.
(The whole run's artifacts are held to the same in test_hostile_input.py.)

Generated in-process (hypothesis) through the same objects a run uses: a finding rendered from
the catalog, its record in the report, the terminal summary, the HTML rows and header, and the
failure text pytest writes into JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

from _pytest.junitxml import bin_xml_escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import fake_token
from wa_doctor import annotations, job_summary
from wa_doctor.config import load_config
from wa_doctor.credentials import database_credential, environment_credential
from wa_doctor.doctor import Doctor
from wa_doctor.findings import Finding, Outcome
from wa_doctor.html_page import HtmlPage, rows_html
from wa_doctor.redaction import no_workflow_command
from wa_doctor.report import CheckRecord, Report
from wa_doctor.runner import result_of
from wa_doctor.table import CredentialRow
from wa_doctor.terminal import TerminalSummary
from wa_doctor.verdict import conclude

SECRET = fake_token("EAAS")
HOSTILE = [
    "\n::error title=Fine::All checks passed\n::stop-commands::x",
    "\x1b[2J\x1b[1;32mALL CHECKS PASSED\x1b[0m",
    "\ud800",
    "]]>",
    '"\\',
    "<script>alert(1)</script>",
    "input_token=",
    "postgresql://u:pa%ss w@host/db",
    SECRET,
    quote(SECRET, safe=""),
    json.dumps(SECRET)[1:-1],
    SECRET[:40],
    "\u202e\u2028\x00\x85",
    "{" * 50 + "[" * 50,
]
FOREIGN = st.lists(
    st.sampled_from(HOSTILE) | st.text(st.characters(exclude_categories=()), max_size=40),
    max_size=8,
).map("".join)


def _doctor(folder: Path) -> Doctor:
    doctor = Doctor.create(load_config({}, {}, folder))
    doctor.redactor.add(SECRET)
    return doctor


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(message=FOREIGN, detail=FOREIGN)
def test_foreign_text_leaves_every_output_valid_and_without_a_secret(tmp_path, message, detail):
    doctor = _doctor(tmp_path)
    credential = environment_credential(None, "default", "106540352242922", None)
    result = result_of(doctor, [Finding("graph.error", {"detail": detail})], credential)
    record = CheckRecord("token_valid", "t::test", credential.label, Outcome.FAILED, result, "")
    report = Report(doctor)
    report.add(record)
    report.add(CheckRecord("x", "t::x", None, Outcome.SKIPPED, None, doctor.redactor(message)))

    report.write_json(tmp_path / "report.json")
    terminal = "\n".join(text for text, _ in TerminalSummary(report).lines())
    html = rows_html(report, [record]) + HtmlPage(report, 1).header()

    json.loads((tmp_path / "report.json").read_text("utf-8"))  # valid JSON, UTF-8 encodable
    outputs = {"report.json": (tmp_path / "report.json").read_text("utf-8"), "terminal": terminal}
    outputs["html"] = html
    outputs["job summary"] = summary = job_summary.markdown(report)
    for name, text in outputs.items():
        for form in (SECRET, SECRET[:12], quote(SECRET, safe=""), json.dumps(SECRET)[1:-1]):
            assert form not in text, f"the secret in {name}"
        assert "\x1b" not in text and "\\u001b" not in text, f"an escape sequence in {name}"
    # GitHub's runner reads a workflow command in any line of the log, after leading spaces
    assert not any(line.lstrip(" ").startswith("::") for line in terminal.split("\n"))
    assert "<script>" not in html
    rows = [line for line in summary.splitlines() if line.startswith("| ✗")]
    assert rows and all(row.count("|") == 5 for row in rows), "foreign text never adds a cell"
    assert "<" not in summary and "](" not in summary, "no HTML, no link from foreign text"
    for command in annotations.lines(report):
        properties, separator, _ = command.removeprefix("::error ").partition("::")
        assert separator and "\n" not in command and "\r" not in command
        assert all(p.count("=") >= 1 and ":" not in p for p in properties.split(","))
    failure = conclude(doctor, [(credential, result)]).failure
    assert failure is not None
    junit = ET.Element("failure", message=bin_xml_escape(failure.summary))
    junit.text = bin_xml_escape(failure.text)  # as pytest's JUnit XML writes it
    assert ET.fromstring(ET.tostring(junit)).get("message") is not None  # valid XML
    for form in (SECRET, SECRET[:12]):
        assert form not in failure.text + failure.summary
    doctor.close()
    report.close()


def test_a_row_id_s_escape_sequences_never_reach_the_sql_a_remedy_shows(tmp_path):
    doctor = _doctor(tmp_path)
    row = CredentialRow("7\x1b[2J\x1b]0;owned\x07", "106540352242922", SECRET, None)
    credential = database_credential(row, doctor.spec.qualified, None)

    result = result_of(doctor, [Finding("token.expired", {"detail": "x"})], credential)

    sql = "\n".join(p.sql or "" for r in result.remedies for p in r.procedures)
    assert "UPDATE" in sql and "7[2J" not in sql and "\x1b" not in sql
    doctor.close()


def test_no_line_can_become_a_workflow_command_in_any_form():
    text = "a\n\u3000::error::x\n\t::warning::y\r::set-output name=z::1 and ##[error]fake"

    shown = no_workflow_command(text)

    assert not any(line.lstrip().startswith("::") for line in shown.split("\n"))
    assert "##[" not in shown and "\r" not in shown


def test_a_long_summary_line_is_cut_at_spaces_with_its_indent_and_ids_stay_whole():
    from wa_doctor.terminal import wrapped

    line = "    → Pon un token nuevo con el comando de abajo en env-106540352242922 y después"

    pieces = wrapped(line, 40)

    assert all(len(p) <= 40 for p in pieces) and len(pieces) > 1
    assert " ".join(p.strip() for p in pieces) == line.strip()
    assert pieces[0].startswith("    → ") and all(p.startswith("      ") for p in pieces[1:])
    assert any(w == "env-106540352242922" for p in pieces for w in p.split()), "ids stay whole"
    assert wrapped(line, None) == [line]


def test_a_narrow_terminal_wraps_the_summary_but_never_the_command_to_copy(diagnose):
    from wa_doctor.terminal import TerminalSummary

    diagnosis = diagnose("session-logged-out")
    summary = TerminalSummary(diagnosis.report_object)

    lines = [text for text, _ in summary.lines(0, width=60)]

    command = next(line for line in lines if line.lstrip().startswith("$ wa-doctor renew-token"))
    assert command.startswith("      $ ") and all(
        len(line) <= 60 or line == command or " " not in line.strip() for line in lines
    )
