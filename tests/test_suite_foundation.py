"""The suite end to end: each configuration and database finding, from a broken setup to the
report that names it with its remedy, against a real PostgreSQL."""

from __future__ import annotations

import shutil
import socket

import pytest

from conftest import DIAGNOSTICS, PASSWORD_ROLE, READER_ROLE, fake_token, server_uses_socket

PHONE = "106540352242922"

CONFIG_AND_DB_CHECKS = {
    "token_present",
    "phone_number_id_present",
    "token_well_formed",
    "env_and_database_tokens_agree",
    "env_files_readable",
    "database_reachable",
    "credential_table_readable",
    "active_credential_exists",
    "one_active_credential_per_phone_number",
}


def assert_reported(run, finding_id: str, remedy_text: str | None = None) -> dict:
    """The JSON names the finding with a remedy, and the HTML shows that remedy's text."""
    entry = run.with_finding(finding_id)
    assert entry["outcome"] == "failed"
    remedy = entry["remedy"]
    assert remedy["title"] and (remedy["steps"] or remedy["procedures"])
    assert entry["message"]
    first_step = remedy["steps"][0] if remedy["steps"] else remedy["procedures"][0]["steps"][0]
    html = run.html
    assert _html_text(first_step) in html
    assert f"data-finding='{finding_id}'" in html
    if remedy_text:
        assert remedy_text in _all_remedy_text(remedy)
    assert run.exit_code == 1
    return entry


def _html_text(text: str) -> str:
    from wa_doctor.markup import inline

    return inline(text)


def _all_remedy_text(remedy: dict) -> str:
    parts = [remedy["title"], *remedy["steps"]]
    for procedure in remedy["procedures"]:
        parts += [procedure["title"], *procedure["steps"], procedure["sql"] or ""]
    return "\n".join(parts)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- configuration -----------------------------------------------------------------------------
def test_with_no_configuration_the_report_says_what_to_set(run_suite):
    run = run_suite()

    assert run.exit_code == 1
    assert_reported(run, "config.missing_token", "WHATSAPP_ACCESS_TOKEN")
    assert_reported(run, "config.missing_phone_number_id", "API Setup")
    assert run.only("database_reachable")["outcome"] == "skipped"
    assert "DATABASE_URL" in run.only("database_reachable")["message"]
    assert set(run.report) >= {
        "generated_at",
        "tool_version",
        "language",
        "summary",
        "credentials",
        "checks",
    }
    assert run.report["language"] == "es"
    assert set(run.report["summary"]) == {"passed", "failed", "warnings", "skipped"}
    assert run.report["credentials"] == [
        {
            "label": "env-no-phone",
            "source": "environment",
            "token_source": "default",
            "token_preview": "—",
            "phone_number_id": None,
            "phone_number_id_problems": [],
            "row_id": None,
            "facts": dict.fromkeys(
                (
                    "verified_name",
                    "display_phone_number",
                    "quality_rating",
                    "messaging_limit",
                    "token_expires_at",
                )
            ),
        }
    ]


@pytest.mark.parametrize(("args", "exit_code"), [(("--co",), 0), (("-k", "nomatch"), 5)])
def test_a_run_that_checked_nothing_never_reports_health(run_suite, args, exit_code):
    run = run_suite("--wa-lang", "en", *args)

    assert run.exit_code == exit_code
    assert run.report["result"].startswith("– Nothing was checked")
    assert run.report["checks"] == []
    assert "Nothing was checked" in run.html and "✓ No problems" not in run.html
    assert "not checked: no check ran for it" in run.html and "all good" not in run.html
    assert "Nothing was checked" in run.stdout.split("WhatsApp Cloud API doctor", 1)[1]


def test_a_simulated_run_says_so_wherever_the_result_is_read(run_suite):
    run = run_suite(
        "--wa-simulate", "window-closed", "--wa-send-to", "+34600000111", "--wa-lang", "en"
    )

    said = "SIMULATED (scenario window-closed): none of this is your real configuration"
    assert run.report["simulated"] == "window-closed"
    assert said in run.stdout.split("WhatsApp Cloud API doctor", 1)[1]
    assert said in run.html.split("</header>", 1)[0]  # the first screen, not a folded table
    sent = run.with_finding("messaging.template_accepted")["message"]
    assert "Template sent: The simulator (not Meta) accepted `hello_world` for +346" in sent


def test_the_spanish_report_has_no_english_headings_in_its_environment_table(run_suite):
    run = run_suite()

    assert "<h2>Entorno</h2>" in run.html and "<h2>Environment</h2>" not in run.html
    blob = run.html.split('data-jsonblob="', 1)[1].split('"', 1)[0]
    assert "Plataforma" in blob and "Idioma" in blob and "Credenciales" in blob
    assert "Platform" not in blob and "Graph API version" not in blob


def test_english_remedies_with_wa_lang_en(run_suite):
    run = run_suite("--wa-lang", "en")

    entry = assert_reported(run, "config.missing_token")
    assert entry["remedy"]["title"] == "The WhatsApp access token is missing"
    assert run.report["language"] == "en"


MALFORMED = {
    "padded with spaces": (lambda t: f"  {t} ", "espacios o saltos de línea al inicio"),
    "trailing newline": (lambda t: t + "\n", "espacios o saltos de línea al final"),
    "quoted": (lambda t: f'"{t}"', "comillas"),
    "bearer prefix": (lambda t: f"Bearer {t}", "Bearer"),
    "truncated": (lambda t: t[:30], "demasiado corto"),
    "preview copied": (lambda t: t[:20] + "...", "vista previa"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_mis_copied_token_is_malformed(diagnose, crm_database, case):
    make, words = MALFORMED[case]
    token = make(fake_token())
    crm_database.add_credential(token, PHONE)

    run = diagnose(env={"DATABASE_URL": crm_database.url}, secrets_to_check=(token.strip(),))

    entry = assert_reported(run, "config.malformed_token", "PEGA_AQUI_EL_TOKEN_NUEVO")
    assert words in entry["message"]
    assert entry["credential"].startswith("db")


def test_env_token_differing_from_the_database_row_is_a_source_mismatch(diagnose, crm_database):
    db_token, env_token = fake_token(), fake_token()
    row = crm_database.add_credential(db_token, PHONE)

    run = diagnose(
        env={
            "DATABASE_URL": crm_database.url,
            "WHATSAPP_ACCESS_TOKEN": env_token,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE,
        },
        secrets_to_check=(db_token,),
    )

    entry = assert_reported(run, "config.source_mismatch")
    assert f"row {row}" in entry["message"] or f"fila {row}" in entry["message"]
    labels = [c["label"] for c in run.report["credentials"]]
    assert labels == [f"db{row}-{PHONE}", f"env-{PHONE}"], "both tokens are diagnosed"


def test_env_pair_equal_to_the_row_is_diagnosed_once(diagnose, crm_database):
    token = fake_token()
    row = crm_database.add_credential(token, PHONE)

    run = diagnose(
        env={
            "DATABASE_URL": crm_database.url,
            "WHATSAPP_ACCESS_TOKEN": token,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE,
        }
    )

    assert [c["label"] for c in run.report["credentials"]] == [f"db{row}-{PHONE}"]
    assert run.only("env_and_database_tokens_agree")["outcome"] == "passed"


def test_env_local_wins_over_env_and_environment_wins_over_both(diagnose):
    env_file_token, local_token = fake_token("EAAF"), fake_token("EAAL")
    files = {
        ".env": f"WHATSAPP_ACCESS_TOKEN={env_file_token}\nWHATSAPP_PHONE_NUMBER_ID=111\n",
        ".env.local": f"WHATSAPP_ACCESS_TOKEN={local_token}\n",
    }

    from_files = diagnose(files=files, secrets_to_check=(env_file_token, local_token))
    from_environment = diagnose(
        files=files,
        env={"WHATSAPP_PHONE_NUMBER_ID": "222"},
        secrets_to_check=(env_file_token, local_token),
    )

    (credential,) = from_files.report["credentials"]
    assert credential["token_source"] == ".env.local WHATSAPP_ACCESS_TOKEN"
    assert credential["token_preview"].startswith("EAAL")
    assert credential["phone_number_id"] == "111"
    assert from_environment.report["credentials"][0]["phone_number_id"] == "222"


# -- database ----------------------------------------------------------------------------------
def test_unreachable_database(diagnose):
    url = f"postgresql://crm:s3cret-Passw0rd-x@127.0.0.1:{free_port()}/crm"

    run = diagnose(env={"DATABASE_URL": url}, secrets_to_check=("s3cret-Passw0rd-x",))

    entry = assert_reported(run, "db.unreachable", "sslmode=require")
    assert "127.0.0.1" in entry["message"]
    assert run.only("credential_table_readable")["outcome"] == "skipped"
    assert "db.unreachable" in run.only("credential_table_readable")["message"]


def test_wrong_database_password(diagnose, crm_database):
    if not server_uses_socket(crm_database.url):
        pytest.skip("needs the embedded server, whose pg_hba this suite controls")
    crm_database.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD 'right-password-123'")
    try:
        url = crm_database.url_as(PASSWORD_ROLE, "wrong-password-456")
        run = diagnose(env={"DATABASE_URL": url}, secrets_to_check=("wrong-password-456",))
    finally:
        crm_database.execute(f"DROP ROLE {PASSWORD_ROLE}")

    assert_reported(run, "db.auth_failed", "Reset database password")


def test_missing_credential_table(diagnose, empty_database):
    run = diagnose(env={"DATABASE_URL": empty_database.url})

    entry = assert_reported(run, "db.table_missing", "--wa-db-table")
    assert "crm.marketing_channel_credential" in entry["message"]
    assert run.only("database_reachable")["outcome"] == "passed"
    assert run.only("active_credential_exists")["outcome"] == "skipped"


def test_no_active_credential(diagnose, crm_database):
    crm_database.add_credential(fake_token(), PHONE, active=False)
    crm_database.add_credential(fake_token(), PHONE, channel="sms")

    run = diagnose(env={"DATABASE_URL": crm_database.url})

    assert_reported(run, "db.no_active_credential")
    assert run.report["credentials"][0]["source"] == "environment"


def test_two_active_rows_for_one_number(diagnose, crm_database):
    token = fake_token()
    first = crm_database.add_credential(token, PHONE)
    second = crm_database.add_credential(fake_token(), PHONE)

    run = diagnose(env={"DATABASE_URL": crm_database.url}, secrets_to_check=(token,))

    entry = assert_reported(run, "db.duplicate_active_credential")
    assert f"{first}, {second}" in entry["message"]
    assert "todas a la vez" in entry["message"]


@pytest.mark.parametrize("stored", [None, "   "], ids=["null", "blank"])
def test_active_row_without_token(diagnose, crm_database, stored):
    row = crm_database.add_credential(stored, PHONE)

    run = diagnose(env={"DATABASE_URL": crm_database.url})

    entry = assert_reported(run, "db.empty_token")
    assert f"WHERE id = '{row}'" in _all_remedy_text(entry["remedy"])
    assert run.only("token_well_formed")["message"] == "bloqueada por db.empty_token"


def test_renamed_table_and_columns_are_configurable(diagnose, empty_database):
    empty_database.execute(
        "CREATE TABLE public.creds (cred_id int PRIMARY KEY, canal_tipo text, "
        "phone_number_id text, token text, active boolean, updated_at timestamptz)"
    )
    token = fake_token()
    empty_database.execute(
        "INSERT INTO public.creds VALUES (7, 'whatsapp', %s, %s, true, now())", (PHONE, token)
    )

    run = diagnose(
        env={"DATABASE_URL": empty_database.url},
        options={
            "db_table": "public.creds",
            "db_columns": "id=cred_id,access_token=token,activo=active",
        },
        secrets_to_check=(token,),
    )

    assert [c["label"] for c in run.report["credentials"]] == [f"db7-{PHONE}"]
    failed = {c["id"] for c in run.report["checks"] if c["outcome"] == "failed"}
    assert not failed & CONFIG_AND_DB_CHECKS, run.report["checks"]


def test_healthy_configuration_fails_none_of_these_checks(run_suite, crm_database):
    token = fake_token()
    crm_database.add_credential(token, PHONE)

    run = run_suite(
        env={
            "DATABASE_URL": crm_database.url,
            "WHATSAPP_ACCESS_TOKEN": token,
            "WHATSAPP_PHONE_NUMBER_ID": PHONE,
        }
    )

    outcomes = {
        c["id"]: c["outcome"] for c in run.report["checks"] if c["id"] in CONFIG_AND_DB_CHECKS
    }
    assert set(outcomes) == CONFIG_AND_DB_CHECKS
    assert set(outcomes.values()) == {"passed"}, outcomes
    cases = {case.get("name") for case in run.junit_cases()}
    assert "test_token_present" in cases, "one test per check, its credentials inside"


def test_a_broken_diagnostics_file_fails_the_run_and_is_reported(run_suite, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(DIAGNOSTICS, project / "diagnostics")
    (project / "pytest.ini").write_text("[pytest]\n")
    (project / "conftest.py").write_text('pytest_plugins = ["wa_doctor.pytest_plugin"]\n')
    (project / "diagnostics" / "test_broken.py").write_text("import no_such_module_xyz\n")

    run = run_suite(diagnostics=project / "diagnostics")

    assert run.exit_code != 0
    (entry,) = [c for c in run.report["checks"] if c["id"] == "collect"]
    assert entry["outcome"] == "failed"
    assert entry["finding"] == "doctor.internal_error"
    assert "no_such_module_xyz" in entry["message"]
    assert "Sin problemas" not in run.stdout


def test_failures_stored_by_the_crm_are_grouped_by_code_with_remedies(diagnose, crm_database):
    crm_database.execute(
        "CREATE TABLE crm.whatsapp_message_status (status text, error_code int, "
        "created_at timestamptz)"
    )
    for code, count in ((131047, 3), (131030, 1), (999001, 2)):
        for _ in range(count):
            crm_database.execute(
                "INSERT INTO crm.whatsapp_message_status VALUES ('failed', %s, now())", (code,)
            )
    crm_database.execute(f"GRANT SELECT ON crm.whatsapp_message_status TO {READER_ROLE}")
    query = "SELECT error_code, created_at FROM crm.whatsapp_message_status WHERE status = 'failed'"

    run = diagnose(env={"DATABASE_URL": crm_database.reader_url}, options={"failures_query": query})

    entry = run.only("recent_send_failures")
    assert entry["outcome"] == "failed"
    assert entry["finding"] == "messaging.window_24h"
    assert "code 131047: 3 ×" in entry["message"]
    assert [f["id"] for f in entry["findings"]] == [
        "messaging.window_24h",
        "graph.error",
        "messaging.recipient_not_allowed",
    ]
    assert crm_database.execute("SELECT count(*) FROM crm.whatsapp_message_status") == [(6,)]


def test_the_failures_query_cannot_write(diagnose, crm_database):
    query = (
        "WITH added AS (INSERT INTO crm.marketing_channel_credential (canal_tipo) VALUES ('x')"
        " RETURNING 1, 2) SELECT * FROM added"
    )

    run = diagnose(env={"DATABASE_URL": crm_database.reader_url}, options={"failures_query": query})

    assert run.only("recent_send_failures")["outcome"] == "failed"
    assert "read-only" in run.only("recent_send_failures")["message"]
    assert crm_database.execute("SELECT count(*) FROM crm.marketing_channel_credential") == [(0,)]


def test_a_failures_query_from_env_file_cannot_commit_and_drop(diagnose, crm_database):
    crm_database.add_credential(fake_token())
    query = "SELECT 131047, now(); COMMIT; DROP TABLE crm.marketing_channel_credential"

    run = diagnose(
        env={"DATABASE_URL": crm_database.reader_url},
        files={".env": f'WA_DOCTOR_FAILURES_QUERY="{query}"\n'},
    )

    entry = run.only("recent_send_failures")
    assert (entry["outcome"], entry["finding"]) == ("failed", "db.query_failed")
    assert "multiple commands" in entry["message"]
    assert crm_database.execute("SELECT count(*) FROM crm.marketing_channel_credential") == [(1,)]


def test_connecting_as_the_tables_owner_is_a_warning_with_a_reader_role(diagnose, crm_database):
    owner = diagnose(env={"DATABASE_URL": crm_database.url})
    reader = diagnose(env={"DATABASE_URL": crm_database.reader_url})

    entry = owner.only("connected_role_only_reads")
    assert (entry["outcome"], entry["finding"]) == ("warning", "db.privileged_role")
    sql = entry["remedy"]["procedures"][0]["sql"]
    assert "GRANT SELECT ON crm.marketing_channel_credential TO wa_doctor" in sql
    assert reader.only("connected_role_only_reads")["outcome"] == "passed"


def test_no_stored_failures_without_webhooks_is_not_a_clean_bill(
    diagnose, crm_database, graph_simulator
):
    from conftest import simulator_env

    server = graph_simulator("webhooks-not-subscribed")
    crm_database.add_credential(server.world.token, server.world.phone_number_id)
    crm_database.execute("CREATE TABLE crm.whatsapp_message_status (code int, at timestamptz)")
    env = {
        "WHATSAPP_GRAPH_URL": server.url,
        "DATABASE_URL": crm_database.reader_url,
        "WHATSAPP_BUSINESS_ACCOUNT_ID": simulator_env(server)["WHATSAPP_BUSINESS_ACCOUNT_ID"],
    }
    crm_database.execute("GRANT SELECT ON crm.whatsapp_message_status TO wa_doctor_reader")

    query = "SELECT code, at FROM crm.whatsapp_message_status"
    run = diagnose(env=env, options={"lang": "en", "failures_query": query})

    entry = run.only("recent_send_failures")
    assert (entry["outcome"], entry["finding"]) == ("warning", "webhooks.failures_unseen")
    assert server.world.waba_id in entry["message"]
