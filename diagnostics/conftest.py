"""Running ``pytest diagnostics/`` switches on doctor mode: config, credentials, reports."""

import pytest

from wa_doctor.pytest_plugin import activate


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    activate(config)
