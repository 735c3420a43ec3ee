"""Is the access token alive, permanent, scoped and granted? (One debug_token per token.)"""

from wa_doctor.checks import token as checks


def test_token_valid(check, credential):
    check(checks.token_valid, credential)


def test_token_permanent(check, credential):
    check(checks.token_permanent, credential)


def test_token_not_expiring_soon(check, credential):
    check(checks.token_not_expiring_soon, credential)


def test_token_scopes(check, credential):
    check(checks.token_scopes, credential)


def test_token_grants_waba(check, credential):
    check(checks.token_grants_waba, credential)


def test_token_from_configured_app(check, credential):
    check(checks.token_from_configured_app, credential)
