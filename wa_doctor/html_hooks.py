"""pytest-html's hooks: the results table in the doctor's words, the doctor's header on the page,
and each test's rows as an extra. Registered by the plugin only when pytest-html is loaded."""

from __future__ import annotations

from collections.abc import Generator
from html import escape
from pathlib import Path
from typing import Any

import pytest

from .doctor import Doctor
from .files import write_atomically
from .html_page import HtmlPage, check_cell, remedy_cell, result_cell
from .pytest_html_page import FinishedPage
from .report import Report, representative
from .reporting import guarded


class HtmlHooks:
    """pytest-html hooks: the table in the doctor's words, and the doctor's header on the page.

    The header is put in once pytest-html has written the file (see :mod:`.html_page`)."""

    def __init__(self, doctor: Doctor, report: Report) -> None:
        self.doctor = doctor
        self.report = report

    def _label(self, key: str) -> str:
        return self.doctor.catalog.label(key, self.doctor.lang)

    def pytest_html_report_title(self, report: Any) -> None:
        report.title = self._label("report_title")

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        words = {
            ">Result<": "col_result",
            ">Test<": "col_check",
            ">Duration<": "col_duration",
            ">Links<": "col_links",
        }
        for n, cell in enumerate(cells):
            for old, key in words.items():
                if old in cell:
                    cells[n] = cell.replace(old, f">{escape(self._label(key))}<")
        cells.insert(2, f'<th class="col-remedy">{escape(self._label("remedy"))}</th>')

    def pytest_html_results_table_row(self, report: Any, cells: list[str]) -> None:
        records = getattr(report, "wa_records", None)
        record = representative(records) if records else None
        if record is not None:
            cells[0] = result_cell(self.report, record, cells[0])
            cells[1] = check_cell(self.report, record, report.nodeid)
        cells.insert(2, remedy_cell(record))

    def pytest_html_results_table_html(self, report: Any, data: list[str]) -> None:
        """The expanded row shows the doctor's sentence (an extra), not pytest's raw log: a
        skip's tuple with the install path, or 'No log output captured.'."""
        if getattr(report, "wa_records", None):
            data.clear()

    @pytest.hookimpl(wrapper=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Generator[None, Any, Any]:
        """After pytest-html has written the page (its hook is trylast), make it the doctor's."""
        result = yield
        self._finish_page(session)
        return result

    @guarded
    def _finish_page(self, session: pytest.Session) -> None:
        path = session.config.getoption("htmlpath", None)
        if not path or not Path(path).is_file():
            return
        page = HtmlPage(self.report, int(session.exitstatus))
        finished = FinishedPage(page).finish(Path(path).read_text("utf-8"))
        write_atomically(Path(path), finished)


def attach_html_extra(report: Any, html: str) -> None:
    """The doctor's rows for a test, in pytest-html's results table (only when it is active)."""
    from pytest_html import extras

    report.extras = [*getattr(report, "extras", []), extras.html(html)]
