"""Does the Phone Number ID exist, and can that number send?"""

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
