"""Is the token safe where it is kept? Against a database built the way Supabase builds one."""

from __future__ import annotations

import subprocess

import pytest

from conftest import CREDENTIAL_TABLE, REPO, fake_token, git

PHONE = "106540352242922"
SUPABASE_ROLES = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated')
    THEN CREATE ROLE authenticated NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'service_role')
    THEN CREATE ROLE service_role NOLOGIN BYPASSRLS; END IF;
END $$;
"""
CATALOG_STATE = (
    "SELECT relrowsecurity, relacl::text FROM pg_class "
    "WHERE relname = 'marketing_channel_credential'"
)


@pytest.fixture
def supabase_database(empty_database):
    """Supabase's roles, API schema grants and default privileges, then the guide's table."""
    empty_database.execute(SUPABASE_ROLES)
    empty_database.execute(
        "CREATE SCHEMA crm; GRANT USAGE ON SCHEMA crm TO anon, authenticated, service_role; "
        "ALTER DEFAULT PRIVILEGES IN SCHEMA crm "
        "GRANT ALL ON TABLES TO anon, authenticated, service_role"
    )
    empty_database.execute(CREDENTIAL_TABLE)
    return empty_database


def test_an_open_table_is_reported_and_its_sql_closes_it(diagnose, supabase_database):
    token = fake_token()
    supabase_database.add_credential(token, PHONE)
    env = {"DATABASE_URL": supabase_database.url}
    before = supabase_database.execute(CATALOG_STATE)

    exposed = diagnose(env=env, secrets_to_check=(token,))

    entry = exposed.with_finding("exposure.rls_disabled")
    assert "anon, authenticated" in entry["message"]
    assert supabase_database.execute(CATALOG_STATE) == before, "the checks changed nothing"
    (fix,) = [p["sql"] for p in entry["remedy"]["procedures"] if p["sql"]]
    assert "ENABLE ROW LEVEL SECURITY" in fix

    supabase_database.execute(fix)
    fixed = diagnose(env=env, secrets_to_check=(token,))

    assert "exposure.rls_disabled" not in fixed.findings()
    assert fixed.only("credential_table_not_public")["outcome"] == "passed"


def test_a_policy_that_lets_anon_read_is_a_warning(diagnose, supabase_database):
    supabase_database.add_credential(fake_token(), PHONE)
    supabase_database.execute(
        "ALTER TABLE crm.marketing_channel_credential ENABLE ROW LEVEL SECURITY; "
        "CREATE POLICY anyone_reads ON crm.marketing_channel_credential FOR SELECT TO anon "
        "USING (true)"
    )

    run = diagnose(env={"DATABASE_URL": supabase_database.url})

    entry = run.with_finding("exposure.policy_allows_public")
    assert entry["outcome"] == "warning"
    assert "anyone_reads (USING true)" in entry["message"]
    assert run.only("credential_table_not_public")["outcome"] == "passed"


def test_a_token_in_the_table_is_plain_text(diagnose, crm_database):
    crm_database.add_credential(fake_token(), PHONE)

    run = diagnose(env={"DATABASE_URL": crm_database.url})

    assert run.with_finding("exposure.plaintext_token")["outcome"] == "warning"
    assert "Vault" in " ".join(run.with_finding("exposure.plaintext_token")["remedy"]["steps"])


def test_a_token_under_a_public_framework_name_is_reported(diagnose):
    token = fake_token()
    files = {".env.local": f"WHATSAPP_ACCESS_TOKEN={token}\nNEXT_PUBLIC_WA_TOKEN={token}\n"}

    run = diagnose(files=files, env={"VITE_WHATSAPP": token}, secrets_to_check=(token,))

    entry = run.with_finding("exposure.public_env_name")
    assert "NEXT_PUBLIC_WA_TOKEN (.env.local:2)" in entry["message"]
    assert "VITE_WHATSAPP (environment)" in entry["message"]


def test_no_exposure_finding_for_a_private_setup(diagnose, supabase_database):
    supabase_database.execute(
        "ALTER TABLE crm.marketing_channel_credential ENABLE ROW LEVEL SECURITY; "
        "REVOKE ALL ON crm.marketing_channel_credential FROM anon, authenticated"
    )
    supabase_database.add_credential(fake_token(), PHONE)

    run = diagnose(env={"DATABASE_URL": supabase_database.url})

    exposure = {f for f in run.findings() if f.startswith("exposure.")}
    assert exposure == {"exposure.plaintext_token"}


def test_a_tracked_env_file_and_a_hard_coded_token_are_reported(diagnose, crm_app):
    token = fake_token()
    (crm_app / ".env.local").write_text(f"WHATSAPP_ACCESS_TOKEN={token}\n")
    (crm_app / "send.js").write_text(f"const a = 1;\nconst token = '{token}';\n")
    git(crm_app, "add", ".env.local", "send.js")
    git(crm_app, "commit", "-qm", "oops")

    run = diagnose(env={"WHATSAPP_ACCESS_TOKEN": token}, options={"app_dir": str(crm_app)})

    assert ".env.local (tracked)" in run.with_finding("exposure.env_file_tracked")["message"]
    assert "send.js:2" in run.with_finding("exposure.token_in_source")["message"]


def test_an_ignored_env_file_and_clean_code_pass(diagnose, crm_app):
    token = fake_token()
    (crm_app / ".gitignore").write_text(".env*\n")
    (crm_app / ".env.local").write_text(f"WHATSAPP_ACCESS_TOKEN={token}\n")
    (crm_app / "send.js").write_text("const token = process.env.WHATSAPP_ACCESS_TOKEN;\n")
    git(crm_app, "add", ".gitignore", "send.js")
    git(crm_app, "commit", "-qm", "clean")
    status_before = subprocess.run(
        ["git", "-C", str(crm_app), "status", "--porcelain"], capture_output=True, text=True
    ).stdout

    run = diagnose(env={"WHATSAPP_ACCESS_TOKEN": token}, options={"app_dir": str(crm_app)})

    assert run.only("env_files_not_tracked")["outcome"] == "passed"
    assert run.only("token_not_in_source")["outcome"] == "passed"
    assert (
        subprocess.run(
            ["git", "-C", str(crm_app), "status", "--porcelain"], capture_output=True, text=True
        ).stdout
        == status_before
    )


def test_no_git_repository_skips_with_the_reason(diagnose, tmp_path):
    run = diagnose(env={"WHATSAPP_ACCESS_TOKEN": fake_token()}, options={"app_dir": str(tmp_path)})
    assert "git" in run.only("token_not_in_source")["message"]
    assert run.only("token_not_in_source")["outcome"] == "skipped"


def test_graph_versions_in_the_crms_code_are_judged_with_file_and_line(diagnose, crm_app):
    (crm_app / "lib").mkdir()
    (crm_app / "lib" / "whatsapp.ts").write_text(
        "// send\nconst url = 'https://graph.facebook.com/v17.0/' + phoneId + '/messages';\n"
    )
    (crm_app / "lib" / "templates.ts").write_text(
        "fetch(`https://graph.facebook.com/v21.0/${waba}/message_templates`)\n"
    )
    (crm_app / "lib" / "current.ts").write_text("const v = 'graph.facebook.com/v25.0';\n")
    git(crm_app, "add", "lib")
    git(crm_app, "commit", "-qm", "crm")

    run = diagnose(options={"app_dir": str(crm_app), "lang": "en"})

    entry = run.only("api_versions_in_code")
    messages = {f["id"]: f["message"] for f in entry["findings"]}
    assert set(messages) == {"api.code_version_unsupported", "api.code_version_ending"}
    assert "v17.0" in messages["api.code_version_unsupported"]
    assert "lib/whatsapp.ts:2" in messages["api.code_version_unsupported"]
    assert "lib/templates.ts:1" in messages["api.code_version_ending"]
    assert "lib/current.ts" not in str(messages)


def test_run_from_the_doctors_own_folder_the_code_checks_say_not_checked(diagnose):
    run = diagnose(options={"app_dir": str(REPO), "lang": "en"})

    for check in ("env_files_not_tracked", "token_not_in_source", "api_versions_in_code"):
        entry = run.only(check)
        assert entry["outcome"] == "skipped", check
        assert "the doctor's own folder" in entry["message"]


def test_under_github_actions_each_finding_is_an_annotation_beside_its_file(run_suite, crm_app):
    token = fake_token()
    (crm_app / "send.js").write_text(f"const a = 1;\nconst token = '{token}';\n")
    (crm_app / "lib.ts").write_text("const v = 'https://graph.facebook.com/v17.0/';\n")
    git(crm_app, "add", "send.js", "lib.ts")
    git(crm_app, "commit", "-qm", "oops")
    env = {
        "WHATSAPP_ACCESS_TOKEN": token,
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(crm_app),
    }

    run = run_suite("--wa-app-dir", str(crm_app), "--wa-lang", "en", env=env)

    commands = [line for line in run.stdout.splitlines() if line.startswith("::")]
    (leak,) = [c for c in commands if "exposure.token_in_source" in c]
    assert leak.startswith("::error title=") and ",file=send.js,line=2::" in leak
    (version,) = [c for c in commands if "api.code_version_unsupported" in c]
    assert ",file=lib.ts,line=1::" in version
    assert all(c.startswith(("::error ", "::warning ")) for c in commands)
    assert all("\n" not in c and c.count("::") == 2 for c in commands)


def test_in_the_doctors_own_folder_the_environment_is_still_checked_for_a_public_token(
    diagnose, monkeypatch
):
    token = fake_token()
    monkeypatch.chdir(REPO)  # where CI runs the doctor

    run = diagnose(
        env={"WHATSAPP_ACCESS_TOKEN": token, "VITE_WHATSAPP": token},
        options={"app_dir": ".", "lang": "en"},
    )

    assert "VITE_WHATSAPP (environment)" in run.with_finding("exposure.public_env_name")["message"]
    skipped = run.only("token_not_in_source")["message"]
    assert skipped.startswith(". is the doctor's own folder") and str(REPO) not in skipped
