"""Is the configuration there and usable? (No network.)"""

from wa_doctor.checks import configuration
from wa_doctor.pytest_checks import diagnose

test_credential_selected = diagnose(configuration.credential_selected)
test_token_present = diagnose(configuration.token_present)
test_phone_number_id_present = diagnose(configuration.phone_number_id_present)
test_phone_number_id_well_formed = diagnose(configuration.phone_number_id_well_formed)
test_meta_ids_well_formed = diagnose(configuration.meta_ids_well_formed)
test_token_well_formed = diagnose(configuration.token_well_formed)
test_env_and_database_tokens_agree = diagnose(configuration.env_and_database_tokens_agree)
test_env_files_readable = diagnose(configuration.env_files_readable)
test_baseline_usable = diagnose(configuration.baseline_usable)
