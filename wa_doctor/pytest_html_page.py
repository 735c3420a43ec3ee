"""The doctor's edits of the page pytest-html writes: its header on top, the language, the title,
a viewport for phones, a stylesheet over pytest-html's (readable contrast and size, a print
layout), pytest-html's environment table and results folded away, and pytest-html's own words
in the run's language.

These edits find their places by pytest-html's markup and English strings, so they are tied to
its release: every string and pattern they rely on is in :data:`MARKERS` and :data:`PATTERNS`,
and a project test holds a page written by the installed pytest-html to them, so a release
that changes its page breaks a test, not the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from html import escape
from importlib import resources

from .html_page import HtmlPage

MARKERS = (
    "</head>",
    "</body>",
    '<div class="summary">',
    "<footer>",
    '<div id="environment-header">',
    '<table id="environment"></table>',
    "<h2>Summary</h2>",
    "<h2>Environment</h2>",
    "(Un)check the boxes to filter the results.",
    ">Show all details<",
    ">Hide all details<",
    "No results found. Check the filters.",
)
"""The strings of pytest-html's page the edits replace or insert next to."""

HTML_TAG = re.compile(r"<html[^>]*>")
TITLE = re.compile(r"<title[^>]*>.*?</title>", re.S)
BODY_TAG = re.compile(r"<body[^>]*>")
TABLE_END = re.compile(r"(</table>\s*)(<footer>)")
FILTER_COUNT = re.compile(r'<span class="(\w+)">(\d+) [^<]*?(,?)</span>')
RUN_COUNT = re.compile(r'<p class="run-count">\d+ tests? took ([^<]*)\.</p>')
PATTERNS = (HTML_TAG, TITLE, BODY_TAG, TABLE_END, FILTER_COUNT, RUN_COUNT)
"""The patterns of pytest-html's page the edits rewrite (each must match its page)."""


@cache
def asset(name: str) -> str:
    """The report's stylesheet or script (``report.css``, ``report.js``), package data."""
    return resources.files(__package__).joinpath(name).read_text("utf-8")


class FinishedPage:
    """pytest-html's page of one run, finished with the doctor's part (:class:`HtmlPage`)."""

    def __init__(self, page: HtmlPage) -> None:
        self.page = page
        self.report = page.report
        self.label = page.label

    def finish(self, html: str) -> str:
        """pytest-html's page with the doctor's header, styles, language and words."""
        page = self.page
        html = HTML_TAG.sub(f'<html lang="{page.lang}">', html, count=1)
        title = f'<title id="head-title">{escape(page.title())}</title>'
        html = TITLE.sub(lambda _: title, html, count=1)
        head = (
            '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
            f"<style id='wa-style'>{asset('report.css')}</style>"
        )
        html = html.replace("</head>", head + "</head>", 1)
        html = BODY_TAG.sub(lambda m: m.group(0) + page.header(), html, count=1)
        html = html.replace("</body>", f"<script>{asset('report.js')}</script></body>", 1)
        for old, new in self._words():
            html = html.replace(old, new)
        html = self._fold_results(html)
        return self._filters(html)

    def _fold_results(self, html: str) -> str:
        """pytest-html's filters and results table, folded under one line: the header above
        already says what each check found; the table is there for whoever wants every row.
        Its count is the header's unit, a check of a credential, so the page has one set of
        numbers (a row is a check of every credential)."""
        total = len(self.report.records)
        opening = (
            f"<details class='wa-results' id='wa-results'><summary>"
            f"{escape(self.label('results_heading'))} ({total})</summary>"
        )
        if '<div class="summary">' not in html or "<footer>" not in html:
            return html
        html = html.replace('<div class="summary">', opening + '<div class="summary">', 1)
        return TABLE_END.sub(r"\1</details>\2", html, count=1)

    def _words(self) -> Iterable[tuple[str, str]]:
        label = self.label
        return (
            (
                '<div id="environment-header">',
                f"<details class='wa-environment'><summary>{escape(label('pytest_environment'))}"
                '</summary><div id="environment-header">',
            ),
            ('<table id="environment"></table>', '<table id="environment"></table></details>'),
            ("<h2>Summary</h2>", f"<h2>{escape(label('results_heading'))}</h2>"),
            ("<h2>Environment</h2>", f"<h2>{escape(label('meta_environment'))}</h2>"),
            ("(Un)check the boxes to filter the results.", escape(label("filter_hint"))),
            (">Show all details<", f">{escape(label('show_all'))}<"),
            (">Hide all details<", f">{escape(label('hide_all'))}<"),
            ("No results found. Check the filters.", escape(label("no_results"))),
        )

    def _filters(self, html: str) -> str:
        """The filter boxes' counts in the doctor's words and the header's unit (a check of a
        credential: the header's "5 problems" is the box's 5, not the 3 rows holding them);
        warnings counted apart (pytest counts a check with a warning as passed)."""
        counts = self.report.counts()
        words = {kind: self.label(f"filter_{kind}") for kind in ("failed", "skipped", "error")}

        def span(match: re.Match[str]) -> str:
            kind, number, comma = match.group(1), match.group(2), match.group(3)
            if kind == "passed":
                passed, warned = self.label("filter_passed"), self.label("filter_warnings")
                return (
                    f'<span class="passed">{counts["passed"]} {escape(passed)}, '
                    f"{counts['warnings']} {escape(warned)}{comma}</span>"
                )
            if kind in words:
                number = str(counts.get(kind, number))  # pytest's "error" is no record's
                return f'<span class="{kind}">{number} {escape(words[kind])}{comma}</span>'
            return match.group(0)

        html = FILTER_COUNT.sub(span, html)
        ran = len(self.report.records) - counts["skipped"]
        return RUN_COUNT.sub(
            lambda m: (
                f'<p class="run-count">'
                f"{escape(self.label('run_count').format(n=ran, duration=m.group(1)))}</p>"
            ),
            html,
        )
