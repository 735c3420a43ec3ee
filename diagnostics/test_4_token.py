"""Is the access token alive, permanent, scoped and granted? (One debug_token per token.)"""

from wa_doctor.checks import token as checks


def test_token_valid(check_each):
    check_each(checks.token_valid)


def test_token_permanent(check_each):
    check_each(checks.token_permanent)


def test_token_not_expiring_soon(check_each):
    check_each(checks.token_not_expiring_soon)


def test_token_scopes(check_each):
    check_each(checks.token_scopes)


def test_token_grants_waba(check_each):
    check_each(checks.token_grants_waba)


def test_token_from_configured_app(check_each):
    check_each(checks.token_from_configured_app)
