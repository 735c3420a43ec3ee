"""The page the installed pytest-html writes still has every place the doctor's edits rely on
(``wa_doctor.pytest_html_page``): a pytest-html release that changes its page fails here, not
silently in the report (English words left in a Spanish page, a header in the wrong place)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wa_doctor.pytest_html_page import MARKERS, PATTERNS

TESTS = """
import pytest

def test_passes():
    pass

def test_fails():
    assert False

def test_is_skipped():
    pytest.skip("not here")
"""


@pytest.fixture(scope="module")
def plain_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A page pytest-html writes on its own: no doctor, no plugin but pytest-html."""
    folder = tmp_path_factory.mktemp("plain")
    (folder / "test_plain.py").write_text(TESTS, "utf-8")
    command = [
        *(sys.executable, "-m", "pytest", "test_plain.py", "-c", str(folder / "none.ini")),
        *("--disable-plugin-autoload", "-p", "html", "-p", "metadata", "-p", "no:cacheprovider"),
        *("--html", "page.html", "--self-contained-html"),
    ]
    (folder / "none.ini").write_text("[pytest]\n", "utf-8")
    subprocess.run(command, cwd=folder, capture_output=True, timeout=120)
    return Path(folder, "page.html").read_text("utf-8")


@pytest.mark.parametrize("marker", MARKERS)
def test_every_string_the_edits_replace_is_on_the_page(plain_page, marker):
    assert marker in plain_page


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.pattern[:30])
def test_every_pattern_the_edits_rewrite_matches_the_page(plain_page, pattern):
    assert pattern.search(plain_page)


def test_the_filter_counts_are_spans_of_a_number_and_a_word(plain_page):
    from wa_doctor.pytest_html_page import FILTER_COUNT

    kinds = {m.group(1) for m in FILTER_COUNT.finditer(plain_page)}
    assert {"passed", "failed", "skipped", "error"} <= kinds
