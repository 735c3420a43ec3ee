"""Is the token safe where it is kept? (Read-only: catalogs and env files, no writes.)"""

from wa_doctor.checks import exposure as checks


def test_credential_table_not_public(check):
    check(checks.credential_table_not_public)


def test_no_public_read_policy(check):
    check(checks.no_public_read_policy)


def test_token_not_in_plain_text(check):
    check(checks.token_not_in_plain_text)


def test_token_not_in_public_variable(check):
    check(checks.token_not_in_public_variable)


def test_env_files_not_tracked(check):
    check(checks.env_files_not_tracked)


def test_token_not_in_source(check):
    check(checks.token_not_in_source)
