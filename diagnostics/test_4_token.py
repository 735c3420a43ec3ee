"""Is the access token alive, permanent, scoped and granted? (One debug_token per token.)"""

from wa_doctor.checks import token
from wa_doctor.pytest_checks import diagnose

test_token_valid = diagnose(token.token_valid)
test_token_permanent = diagnose(token.token_permanent)
test_token_not_expiring_soon = diagnose(token.token_not_expiring_soon)
test_token_scopes = diagnose(token.token_scopes)
test_token_grants_waba = diagnose(token.token_grants_waba)
test_token_from_configured_app = diagnose(token.token_from_configured_app)
