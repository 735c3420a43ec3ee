"""The code stays ruff-clean: CI runs this, so style drift fails the build."""

import subprocess
import sys

from conftest import REPO


def test_ruff_finds_nothing():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(REPO)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
