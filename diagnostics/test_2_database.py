"""Can the CRM's credential row be read, and is there exactly one per number?"""

from wa_doctor.checks import database as checks


def test_database_reachable(check):
    check(checks.database_reachable)


def test_credential_table_readable(check):
    check(checks.credential_table_readable)


def test_active_credential_exists(check):
    check(checks.active_credential_exists)


def test_one_active_credential_per_phone_number(check):
    check(checks.one_active_credential_per_phone_number)


def test_connected_role_only_reads(check):
    check(checks.connected_role_only_reads)
