"""Is the configuration there and usable? (No network.)"""

from wa_doctor.checks import configuration as checks


def test_credential_selected(check):
    check(checks.credential_selected)


def test_token_present(check_each):
    check_each(checks.token_present)


def test_phone_number_id_present(check_each):
    check_each(checks.phone_number_id_present)


def test_phone_number_id_well_formed(check_each):
    check_each(checks.phone_number_id_well_formed)


def test_meta_ids_well_formed(check):
    check(checks.meta_ids_well_formed)


def test_token_well_formed(check_each):
    check_each(checks.token_well_formed)


def test_env_and_database_tokens_agree(check):
    check(checks.env_and_database_tokens_agree)


def test_env_files_readable(check):
    check(checks.env_files_readable)
