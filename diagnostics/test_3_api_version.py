"""Is the Graph API version the CRM calls still served by Meta?"""

from wa_doctor.checks import api
from wa_doctor.pytest_checks import diagnose

test_api_version_supported = diagnose(api.api_version_supported)
test_api_versions_in_code = diagnose(api.api_versions_in_code)
