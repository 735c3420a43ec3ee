"""``reports/report.html`` as a support engineer sees it: opened in a real headless Chromium.

The browser is Debian's ``chromium`` driven by Playwright's Python package through
``executable_path`` (Playwright never downloads a browser here). ``.ci/run`` installs Chromium
when it is missing and sets ``WA_DOCTOR_BROWSER_REQUIRED=1``, which turns a missing browser into
a failure; elsewhere the test is skipped with the reason. ``WA_DOCTOR_SCREENSHOT=PATH`` keeps
the screenshot (README's ``docs/report.png`` is made that way).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import SuiteRun, fake_token, simulator_env, suite_runner

# As Chromium runs on a closed network: no background connections, no sandbox as root.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(reason: str) -> None:
    if os.environ.get("WA_DOCTOR_BROWSER_REQUIRED") == "1":
        pytest.fail(f"{reason} (WA_DOCTOR_BROWSER_REQUIRED=1 makes the browser test mandatory)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = os.environ.get("WA_DOCTOR_CHROMIUM") or shutil.which("chromium")
    if not executable:
        _missing(
            "Chromium is not installed: `apt-get install chromium` (or set WA_DOCTOR_CHROMIUM)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed: `python -m pip install -e '.[test]'`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory) -> Iterator[tuple[SuiteRun, str]]:
    """One run shared by the tests: a failure (Meta blocks the number), a second one (another
    app's token) and a warning (an API version about to end)."""
    from wa_doctor.simulator import GraphSimulator, build

    token = fake_token()
    server = GraphSimulator(build("phone-blocked", token=token))
    server.start()
    try:
        env = {
            **simulator_env(server),
            "WHATSAPP_APP_ID": "999000111222333",
            "WHATSAPP_API_VERSION": "v21.0",
        }
        yield suite_runner(tmp_path_factory.mktemp("browser"))(env=env), token
    finally:
        server.stop()


def _open(browser: Any, run: SuiteRun, *, javascript: bool = True) -> Any:
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto((run.directory / "reports" / "report.html").as_uri())
    return page


def test_the_summary_shows_each_failing_check_with_its_remedy(browser, failing_run):
    run, _ = failing_run
    page = _open(browser, run)
    problems = [c for c in run.report["checks"] if c["outcome"] in ("failed", "warning")]
    assert {"phone.health_blocked", "token.app_mismatch", "api.version_ending"} <= {
        c["finding"] for c in problems
    }

    for check in problems:
        section = page.locator(f"#wa-diagnosis [data-finding='{check['finding']}']")
        assert section.is_visible(), check["finding"]
        text = section.inner_text()
        assert check["remedy"]["title"] in text
        assert check["remedy"]["steps"][0] in text


def test_the_results_table_lists_every_check_and_a_failed_row_expands_to_its_steps(
    browser, failing_run
):
    run, _ = failing_run
    page = _open(browser, run)
    rows = page.locator("#results-table tbody.results-table-row")
    assert rows.count() == len(run.report["checks"])
    assert sorted(rows.evaluate_all("rows => rows.map(r => r.id)")) == sorted(
        c["nodeid"] for c in run.report["checks"]
    )

    blocked = run.with_finding("phone.health_blocked")
    row = page.locator(f"tbody[id='{blocked['nodeid']}']")
    steps = row.locator(".wa-steps")
    page.locator("#hide_all_details").click()
    assert not steps.is_visible()
    row.locator("td.col-result").click()
    assert steps.is_visible()
    assert blocked["remedy"]["steps"][0] in steps.inner_text()
    assert blocked["remedy"]["title"] in row.locator("td.col-remedy").inner_text()

    if os.environ.get("WA_DOCTOR_SCREENSHOT"):
        page.screenshot(path=os.environ["WA_DOCTOR_SCREENSHOT"], full_page=False)


def test_no_token_text_in_the_rendered_page(browser, failing_run):
    run, token = failing_run
    page = _open(browser, run)
    page.locator("#show_all_details").click()
    rendered = page.inner_text("body") + page.content()

    assert token not in rendered
    assert not [token[i : i + 12] for i in range(len(token) - 11) if token[i : i + 12] in rendered]
    assert f"{token[:6]}…" in rendered  # the preview is what identifies the token


def test_the_summary_reads_with_javascript_disabled(browser, failing_run, tmp_path: Path):
    run, _ = failing_run
    page = _open(browser, run, javascript=False)

    summary = page.locator("#wa-diagnosis")
    assert summary.is_visible()
    for finding in ("phone.health_blocked", "token.app_mismatch", "api.version_ending"):
        assert summary.locator(f"[data-finding='{finding}'] .wa-steps li").first.is_visible()
    page.screenshot(path=tmp_path / "no-js.png")
    assert (tmp_path / "no-js.png").stat().st_size > 10_000
