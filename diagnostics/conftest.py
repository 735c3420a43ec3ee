"""Running ``pytest diagnostics/`` switches on doctor mode: config, credentials, reports."""

from pathlib import Path

import pytest

from wa_doctor.pytest_plugin import activate


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    activate(config, Path(__file__).parent)
