"""Is the Graph API version the CRM calls still served by Meta?"""

from wa_doctor.checks import api as checks


def test_api_version_supported(check):
    check(checks.api_version_supported)


def test_api_versions_in_code(check):
    check(checks.api_versions_in_code)
