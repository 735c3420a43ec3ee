"""Does the Phone Number ID exist, can that number send, and how much?"""

from wa_doctor.checks import account
from wa_doctor.checks import phone as checks


def test_phone_number_exists(check_each):
    check_each(checks.phone_number_exists)


def test_phone_number_connected(check_each):
    check_each(checks.phone_number_connected)


def test_phone_number_can_send(check_each):
    check_each(checks.phone_number_can_send)


def test_phone_number_quality(check_each):
    check_each(checks.phone_number_quality)


def test_phone_number_live(check_each):
    check_each(checks.phone_number_live)


def test_phone_number_in_waba(check_each):
    check_each(checks.phone_number_in_waba)


def test_phone_display_name_approved(check_each):
    check_each(checks.phone_display_name_approved)


def test_phone_number_on_cloud_api(check_each):
    check_each(checks.phone_number_on_cloud_api)


def test_phone_number_capacity(check_each):
    check_each(checks.phone_number_capacity)


def test_waba_approved_and_verified(check_each):
    check_each(account.waba_approved_and_verified)
