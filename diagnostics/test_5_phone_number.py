"""Does the Phone Number ID exist, can that number send, and how much?"""

from wa_doctor.checks import account, phone
from wa_doctor.pytest_checks import diagnose

test_phone_number_exists = diagnose(phone.phone_number_exists)
test_phone_number_connected = diagnose(phone.phone_number_connected)
test_phone_number_can_send = diagnose(phone.phone_number_can_send)
test_phone_number_quality = diagnose(phone.phone_number_quality)
test_phone_number_live = diagnose(phone.phone_number_live)
test_phone_number_in_waba = diagnose(phone.phone_number_in_waba)
test_phone_display_name_approved = diagnose(phone.phone_display_name_approved)
test_phone_number_on_cloud_api = diagnose(phone.phone_number_on_cloud_api)
test_phone_number_capacity = diagnose(phone.phone_number_capacity)
test_phone_number_coexistence = diagnose(phone.phone_number_coexistence)
test_phone_number_not_worse = diagnose(phone.phone_number_not_worse)
test_waba_approved_and_verified = diagnose(account.waba_approved_and_verified)
