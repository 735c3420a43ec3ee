"""pytest wiring for the doctor. All behaviour lives in the library; this module only connects it.

Loaded for every run by the project's root ``conftest.py`` (it adds the ``--wa-…`` options and
the ``check`` and ``check_each`` fixtures: one test per check, which ``check_each`` runs for every
credential). Doctor mode, which reads the configuration and credentials, keeps one record per
check and credential and writes the reports, is switched on by ``diagnostics/conftest.py``
calling :func:`activate`, so running the project's own tests never writes a report.

Secrets: every report object is scrubbed in ``pytest_runtest_makereport`` (failure text,
captured output and logs, properties) before pytest's terminal, JUnit XML or pytest-html see
it; log records are redacted when created; the metadata table is scrubbed before pytest-html
reads it.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import os
import sys
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pytest

from . import __version__
from .config import SETTINGS, load_config, secret_candidates
from .credentials import Credential
from .doctor import Doctor
from .errors import ConfigError, DoctorError
from .files import write_atomically
from .findings import Outcome
from .html_page import HtmlPage, check_cell, remedy_cell, result_cell, rows_html
from .prefetch import READS, Prefetcher
from .redaction import RedactingLogRecordFactory, Redactor
from .report import CheckRecord, Report, representative
from .runner import CheckResult, internal_error, run_check
from .terminal import TerminalSummary

DOCTOR_KEY = pytest.StashKey[Doctor]()
FAILURE_KEY = pytest.StashKey["CheckFailure"]()
"""A failed test's failure, in the two lengths CI tools show (see :class:`CheckFailure`)."""
RESULTS_KEY = pytest.StashKey[list[tuple[Credential | None, CheckResult]]]()
"""A test's check results, by credential (None: a check of no credential)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wa-doctor", "WhatsApp Cloud API doctor")
    for setting in SETTINGS:
        kind = (
            {"action": "store_const", "const": "true"} if setting.is_flag else {"metavar": "VALUE"}
        )
        group.addoption(
            setting.option,
            dest=f"wa_{setting.name}",
            default=None,
            help=f"{setting.help} [env {setting.env}]",
            **kind,
        )


def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """``--wa-simulate list`` prints the scenarios instead of running anything."""
    if config.getoption("wa_simulate", None) == "list":
        from . import simulator  # only when simulating: it brings a web server along

        print(simulator.listing())
        return 0
    return None


def activate(config: pytest.Config, diagnostics: Path | None = None) -> None:
    """Switch on doctor mode: load configuration and credentials, register the report hooks.

    When the run is the whole of ``diagnostics`` (the folder of checks calling this), the Graph
    requests start now, while pytest imports and collects the checks, rather than after.
    """
    options = {s.name: config.getoption(f"wa_{s.name}") for s in SETTINGS}
    server = None
    try:
        settings = load_config(options, os.environ)
        report_dir = usable_report_dir(
            Path(str(settings.report_dir or config.rootpath / "reports"))
        )
        if settings.simulate:
            from . import simulator  # only when simulating: it brings a web server along

            server, settings = simulator.start_for(str(settings.simulate), settings)
        doctor = Doctor.create(settings)
    except DoctorError as exc:
        if server is not None:
            server.stop()
        redact = Redactor(secret_candidates(options, os.environ))
        raise pytest.UsageError(redact(f"wa-doctor: {exc}")) from None
    config.stash[DOCTOR_KEY] = doctor
    _scrub_debug_log_at_exit(config, doctor.redactor)
    _leave_the_findings_to_the_summary(config.option)
    if config.pluginmanager.hasplugin("html"):
        if not config.getoption("htmlpath", None):
            config.option.htmlpath = str(report_dir / "report.html")
        config.option.self_contained_html = True
    plugin = DoctorPlugin(doctor, report_dir / "report.json", server)
    config.pluginmanager.register(plugin, "wa-doctor")
    if diagnostics is not None and runs_everything(config, diagnostics):
        plugin.prefetch([(name, c) for name in all_checks() for c in doctor.credentials])
    if config.pluginmanager.hasplugin("html"):
        config.pluginmanager.register(HtmlHooks(doctor, plugin.report), "wa-doctor-html")


def _leave_the_findings_to_the_summary(option: Any) -> None:
    """pytest would print each finding twice before the doctor's summary (its FAILURES section
    and its short test summary); unless asked for with ``--tb`` or ``-r``, the summary alone
    says it, once."""
    if option.tbstyle == "auto":
        option.tbstyle = "no"
    if option.reportchars == "fE":
        option.reportchars = ""


def runs_everything(config: pytest.Config, diagnostics: Path) -> bool:
    """Nothing narrows the run: no ``-k``, ``-m``, ``--lf``, ``--deselect``, ``--ignore``
    or ``--sw``, and its arguments name the diagnostics folder itself. Only then may fetching
    start before collection without fetching anything the run will not read."""
    option = config.option
    narrowed = (
        option.keyword,
        option.markexpr,
        option.collectonly,
        getattr(option, "lf", False),
        getattr(option, "deselect", None),
        getattr(option, "ignore", None),
        getattr(option, "ignore_glob", None),
        getattr(option, "stepwise", False),
    )
    folder = diagnostics.resolve()
    where = config.invocation_params.dir
    return not any(narrowed) and all(Path(where, arg).resolve() == folder for arg in config.args)


def all_checks() -> list[str]:
    """The name of every check that reads Graph resources."""
    from .checks import load_all

    load_all()
    return list(READS)


def _scrub_debug_log_at_exit(config: pytest.Config, redactor: Redactor) -> None:
    """``--debug`` writes the command line (a ``--wa-access-token`` value too) to its log
    before any plugin runs; once pytest has closed the log, redact it in place."""
    name = getattr(config.option, "debug", None)
    if isinstance(name, str) and name:
        atexit.register(_redact_file, Path(config.invocation_params.dir, name), redactor)


def _redact_file(path: Path, redactor: Redactor) -> None:
    with contextlib.suppress(OSError):
        text = path.read_text("utf-8", errors="replace")
        cleaned = redactor(text)
        if cleaned != text:
            path.write_text(cleaned, "utf-8")


def usable_report_dir(path: Path) -> Path:
    """The report folder, created if needed; a usage error naming it when it cannot be
    (a file in the way, no permission), before pytest-html fails on it at the end."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"--wa-report-dir / WA_DOCTOR_REPORT_DIR: cannot create {path} ({exc.strerror})"
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"--wa-report-dir / WA_DOCTOR_REPORT_DIR: cannot write into {path}")
    return path


@pytest.fixture(scope="session")
def doctor(pytestconfig: pytest.Config) -> Doctor:
    """The run's :class:`Doctor` (only in doctor mode: ``pytest diagnostics/``)."""
    try:
        return pytestconfig.stash[DOCTOR_KEY]
    except KeyError:
        pytest.skip("wa-doctor is not active: run `pytest diagnostics/`")


@pytest.fixture
def check(request: pytest.FixtureRequest, doctor: Doctor) -> Callable[..., CheckResult]:
    """Run a library check of the whole configuration: fail with its finding, skip with its
    reason."""

    def run(function: Callable[..., Any], *args: Any) -> CheckResult:
        (result,) = _run_and_conclude(request.node, doctor, function, [None], args)
        return result

    return run


@pytest.fixture
def check_each(request: pytest.FixtureRequest, doctor: Doctor) -> Callable[..., list[CheckResult]]:
    """Run a library check for every selected credential, as one test: it fails when the check
    fails for any credential, naming each, and is skipped only when it was for all of them.

    One test per check, not per check and credential: pytest's own cost per test (its hooks,
    reports, the HTML row) was most of a large run's CPU and memory; each credential's result
    is still its own record in every report."""

    def run(function: Callable[..., Any]) -> list[CheckResult]:
        if not doctor.credentials:
            pytest.skip(doctor.catalog.label("skip_no_credentials", doctor.lang))
        return _run_and_conclude(request.node, doctor, function, doctor.credentials, ())

    return run


def _run_and_conclude(
    node: pytest.Item,
    doctor: Doctor,
    function: Callable[..., Any],
    credentials: Sequence[Credential | None],
    args: tuple[Any, ...],
) -> list[CheckResult]:
    """Run the check for each credential (None: once, of no credential), keep each result on
    the test for its report, then fail or skip the test as its results say."""
    results = node.stash.setdefault(RESULTS_KEY, [])
    for credential in credentials:
        arguments = args if credential is None else (credential, *args)
        results.append((credential, run_check(doctor, function, *arguments)))
    strict = doctor.config.fails_on_warnings
    named = len(results) > 1
    failed = [
        (credential, result)
        for credential, result in results
        if result.outcome is Outcome.FAILED or (strict and result.outcome is Outcome.WARNING)
    ]
    if failed:
        failure = CheckFailure.of(doctor, failed, named)
        node.stash[FAILURE_KEY] = failure
        pytest.fail(failure.text, pytrace=False)
    if results and all(result.outcome is Outcome.SKIPPED for _, result in results):
        reasons = dict.fromkeys(result.reason or "" for _, result in results)
        pytest.skip("; ".join(reasons))
    return [result for _, result in results]


def _line(credential: Credential | None, text: str, named: bool) -> str:
    return f"{credential.label}: {text}" if named and credential is not None else text


SUMMARY_LENGTH = 300
"""Longest one-line failure summary: pytest 9.2 cuts JUnit's ``message`` attribute at 500
characters (and older pytest keeps it whole), so a summary this long is never cut."""


@dataclass(frozen=True)
class ReprCrash:
    """What pytest's JUnit XML and short test summary read as a failure's one-line message."""

    message: str


@dataclass(frozen=True)
class CheckFailure:
    """A failed check as pytest's reporters show it: a one-line ``summary`` (JUnit's
    ``message`` attribute, the short test summary: the finding and how many credentials) and
    the whole ``text`` with a line per credential (JUnit's element text, the FAILURES section).

    pytest takes the summary from ``longrepr.reprcrash.message`` and the text from ``str()``
    and ``toterminal()``, so this object stands in for the report's ``longrepr``."""

    summary: str
    text: str

    @classmethod
    def of(
        cls, doctor: Doctor, failed: list[tuple[Credential | None, CheckResult]], named: bool
    ) -> CheckFailure:
        text = "\n".join(_line(c, result.headline(), named) for c, result in failed)
        return cls(_summary(doctor, failed, named), doctor.redactor(text))

    @property
    def reprcrash(self) -> ReprCrash:
        return ReprCrash(self.summary)

    def toterminal(self, out: Any) -> None:
        out.line(self.text)

    def __str__(self) -> str:
        return self.text


def _summary(
    doctor: Doctor, failed: list[tuple[Credential | None, CheckResult]], named: bool
) -> str:
    """One finding: ``[id] title: message`` (its credential first when there are several);
    more credentials: each finding with how many credentials it failed for."""
    if len(failed) == 1:
        credential, result = failed[0]
        line = _line(credential, result.headline(), named)
    else:
        by_finding = Counter(
            f"[{r.primary.id}] {r.primary.title}" if r.primary else (r.reason or "?")
            for _, r in failed
        )
        label = doctor.catalog.label("failed_for", doctor.lang)
        line = "; ".join(f"{what} — {label.format(n=n)}" for what, n in by_finding.items())
    line = doctor.redactor(" ".join(line.split()))
    return line if len(line) <= SUMMARY_LENGTH else line[: SUMMARY_LENGTH - 1] + "…"


def _guarded(method: Callable[..., None]) -> Callable[..., None]:
    """For hooks that only present results: a bug there prints one redacted line instead of
    an INTERNALERROR, and the reports already written stay valid."""

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            method(self, *args, **kwargs)
        except Exception as exc:
            message = f"wa-doctor: {method.__name__} failed: {type(exc).__name__}: {exc}"
            sys.stderr.write(self.doctor.redactor(message) + "\n")

    return run


def check_id(item: pytest.Item) -> str:
    """A check's stable id: its test function's name without ``test_``."""
    name = getattr(item, "originalname", item.name)
    return name.removeprefix("test_")


class DoctorPlugin:
    """Hooks active in doctor mode: fetch ahead, scrub reports, collect records, write JSON."""

    def __init__(self, doctor: Doctor, json_path: Path, server: Any = None) -> None:
        self.doctor = doctor
        self.server = server
        self.report = Report(doctor)
        self.json_path = json_path
        self.json_written = False
        self.prefetcher: Prefetcher | None = None
        self.log_factory = RedactingLogRecordFactory(doctor.redactor)
        self.log_factory.install()

    def pytest_unconfigure(self) -> None:
        if self.prefetcher is not None:
            self.prefetcher.stop()
        self.log_factory.uninstall()
        self.report.close()
        self.doctor.close()
        if self.server is not None:
            self.server.stop()

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        _scrub_metadata(session.config, self.doctor)

    def prefetch(self, selected: list[tuple[str, Credential]]) -> None:
        """Fetch, in background threads, what these (check, credential) pairs will read."""
        workers = int(self.doctor.config.concurrency)
        self.prefetcher = Prefetcher(self.doctor, selected, workers).start()

    @pytest.hookimpl(tryfirst=True)
    @_guarded
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        """As the checks start, fetch what the selected ones will read (unless the whole suite
        started fetching at configuration), in background threads."""
        # Everything built so far (modules, the doctor, the collected items) lives to the end
        # of the run: frozen, the garbage collector stops walking it on every pass (with
        # thousands of items that was a good part of the run's CPU, and pytest collects five
        # times over at the end).
        gc.freeze()
        if session.config.option.collectonly or self.prefetcher is not None:
            return
        self.prefetch(
            [
                (check_id(item), credential)
                for item in session.items
                if check_id(item) in READS
                for credential in self.doctor.credentials
            ]
        )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, Any]:
        report = yield
        _scrub_report(report, self.doctor.redactor)
        if report.when == "call" and report.failed and FAILURE_KEY in item.stash:
            report.longrepr = item.stash[FAILURE_KEY]
        if report.when == "call" or (report.when == "setup" and not report.passed):
            records = self._records(item, report, call)
            for record in records:
                self.report.add(record)
                primary = record.result.primary if record.result else None
                if primary is not None:
                    # JUnit XML reads properties from the teardown report, which copies the item's.
                    properties = [
                        *([("credential", record.credential)] if record.credential else []),
                        ("finding", primary.id),
                        ("severity", primary.severity.value),
                        ("message", primary.message),
                        ("remedy", f"{primary.title}: {primary.first_step}"),
                    ]
                    item.user_properties.extend(properties)
                    report.user_properties.extend(properties)
            report.wa_records = records
            _attach_html_extra(report, rows_html(self.report, records))
        return report

    def _records(
        self, item: pytest.Item, report: Any, call: pytest.CallInfo[None]
    ) -> list[CheckRecord]:
        """One record per credential the test checked (one of no credential for a general
        check); a test that failed without a failed check (a fixture, a bug) is a failure of
        its own, and one that never reached its check is skipped with pytest's reason."""
        results = item.stash.get(RESULTS_KEY, [])
        strict = self.doctor.config.fails_on_warnings

        def record(credential: Credential | None, result: CheckResult | None) -> CheckRecord:
            if result is None:
                outcome = Outcome.SKIPPED if report.skipped else Outcome.PASSED
                message = _skip_reason(report) if report.skipped else ""
            else:
                outcome = result.outcome
                if strict and outcome is Outcome.WARNING:
                    outcome = Outcome.FAILED
                message = result.headline()
            return CheckRecord(
                check_id=check_id(item),
                nodeid=item.nodeid,
                credential=credential.label if credential else None,
                outcome=outcome,
                result=result,
                message=self.doctor.redactor(message),
            )

        records = [record(credential, result) for credential, result in results]
        if report.failed and not any(r.outcome is Outcome.FAILED for r in records):
            detail = call.excinfo.exconly() if call.excinfo else str(report.longrepr)
            records.append(record(None, internal_error(self.doctor, detail)))
        return records or [record(None, None)]

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Generator[None, Any, Any]:
        """A diagnostics file that fails to import is a failure of the run, never silence."""
        report = yield
        _scrub_report(report, self.doctor.redactor)
        if report.failed:
            detail = str(report.longrepr).strip().splitlines()[-1:] or ["?"]
            result = internal_error(self.doctor, f"{report.nodeid}: {detail[0]}")
            self.report.add(
                CheckRecord(
                    check_id="collect",
                    nodeid=report.nodeid,
                    credential=None,
                    outcome=Outcome.FAILED,
                    result=result,
                    message=result.headline(),
                )
            )
        return report

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> Generator[None, Any, Any]:
        """Write report.json first; once every other plugin has finished (pytest's own
        counts included), print the doctor's summary: what a newcomer reads is the end."""
        self._write_json(session)
        result = yield
        self._print_summary(session.config)
        return result

    def _write_json(self, session: pytest.Session) -> None:
        """If report.json cannot be written, say so (redacted) and fail the run, never crash."""
        try:
            self.report.write_json(self.json_path)
            self.json_written = True
        except Exception as exc:
            message = f"wa-doctor: could not write {self.json_path}: {type(exc).__name__}: {exc}"
            sys.stderr.write(self.doctor.redactor(message) + "\n")
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @_guarded
    def _print_summary(self, config: pytest.Config) -> None:
        tr = config.pluginmanager.get_plugin("terminalreporter")
        if tr is None:  # -p no:terminal
            return
        label = self.doctor.catalog.label
        tr.write_sep("=", "WhatsApp Cloud API doctor")
        for text, colour in TerminalSummary(self.report).lines(config.get_verbosity()):
            for line in text.split("\n"):
                tr.write_line(line, **({colour: True} if colour else {}))
        html = config.getoption("htmlpath", None)
        if html:
            tr.write_line(f"{label('html_report', self.doctor.lang)}: {Path(html).resolve()}")
        if self.json_written:
            tr.write_line(f"{label('json_report', self.doctor.lang)}: {self.json_path}")


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

    @_guarded
    def _finish_page(self, session: pytest.Session) -> None:
        path = session.config.getoption("htmlpath", None)
        if not path or not Path(path).is_file():
            return
        page = HtmlPage(self.report, int(session.exitstatus))
        write_atomically(Path(path), page.finish(Path(path).read_text("utf-8")))


def _skip_reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "")


def _scrub_report(report: Any, redactor: Redactor) -> None:
    """Redact everything a report carries before any reporter sees it."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        report.longrepr = (longrepr[0], longrepr[1], redactor(longrepr[2]))
    elif longrepr is not None:
        report.longrepr = redactor(str(longrepr))
    report.sections = [(title, redactor(content)) for title, content in report.sections]
    if hasattr(report, "user_properties"):  # test reports have them, collect reports do not
        report.user_properties = [(k, redactor(v)) for k, v in report.user_properties]


def _attach_html_extra(report: Any, html: str) -> None:
    try:
        from pytest_html import extras
    except ImportError:  # pytest-html disabled or absent: the JSON still has the remedy
        return
    report.extras = [*getattr(report, "extras", []), extras.html(html)]


def _scrub_metadata(config: pytest.Config, doctor: Doctor) -> None:
    """Redact pytest-metadata's environment table and add what a support ticket needs."""
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:
        return
    metadata = config.stash.get(metadata_key, None)
    if metadata is None:
        return

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return doctor.redactor(value) if isinstance(value, str) else value

    def label(key: str) -> str:
        return doctor.catalog.label(key, doctor.lang)

    # pytest-metadata's own keys, in the report's language (the rest are names: Python, pytest)
    words = {"Platform": "meta_platform", "Packages": "meta_packages", "Plugins": "meta_plugins"}
    cleaned = {label(words[k]) if k in words else k: v for k, v in clean(metadata).items()}
    metadata.clear()
    metadata.update(cleaned)
    metadata.update(
        {
            "wa-doctor": __version__,
            label("meta_api_version"): str(doctor.config.api_version),
            label("meta_language"): doctor.lang,
            label("meta_credentials"): ", ".join(c.label for c in doctor.credentials),
        }
    )
