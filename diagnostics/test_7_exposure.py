"""Is the token safe where it is kept? (Read-only: catalogs and env files, no writes.)"""

from wa_doctor.checks import exposure
from wa_doctor.pytest_checks import diagnose

test_credential_table_not_public = diagnose(exposure.credential_table_not_public)
test_no_public_read_policy = diagnose(exposure.no_public_read_policy)
test_token_not_in_plain_text = diagnose(exposure.token_not_in_plain_text)
test_token_not_in_public_variable = diagnose(exposure.token_not_in_public_variable)
test_env_files_not_tracked = diagnose(exposure.env_files_not_tracked)
test_token_not_in_source = diagnose(exposure.token_not_in_source)
