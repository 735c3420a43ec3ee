"""Does the Phone Number ID exist, can that number send, and how much?"""

from wa_doctor.checks import account
from wa_doctor.checks import phone as checks


def test_phone_number_exists(check, credential):
    check(checks.phone_number_exists, credential)


def test_phone_number_connected(check, credential):
    check(checks.phone_number_connected, credential)


def test_phone_number_can_send(check, credential):
    check(checks.phone_number_can_send, credential)


def test_phone_number_quality(check, credential):
    check(checks.phone_number_quality, credential)


def test_phone_number_live(check, credential):
    check(checks.phone_number_live, credential)


def test_phone_number_in_waba(check, credential):
    check(checks.phone_number_in_waba, credential)


def test_phone_display_name_approved(check, credential):
    check(checks.phone_display_name_approved, credential)


def test_phone_number_on_cloud_api(check, credential):
    check(checks.phone_number_on_cloud_api, credential)


def test_phone_number_capacity(check, credential):
    check(checks.phone_number_capacity, credential)


def test_waba_approved_and_verified(check, credential):
    check(account.waba_approved_and_verified, credential)
