"""Can the CRM's credential row be read, and is there exactly one per number?"""

from wa_doctor.checks import database
from wa_doctor.pytest_checks import diagnose

test_database_reachable = diagnose(database.database_reachable)
test_credential_table_readable = diagnose(database.credential_table_readable)
test_active_credential_exists = diagnose(database.active_credential_exists)
test_one_active_credential_per_phone_number = diagnose(
    database.one_active_credential_per_phone_number
)
test_connected_role_only_reads = diagnose(database.connected_role_only_reads)
