"""pytest wiring for the doctor. All behaviour lives in the library; this module only connects it.

Loaded for every run by the project's root ``conftest.py`` (it adds the ``--wa-…`` options and the
``doctor`` fixture). Doctor mode, which reads the configuration and credentials, keeps one record
per check and credential and writes the reports, is switched on by ``diagnostics/conftest.py``
calling :func:`activate`, so running the project's own tests never writes a report.

How a declared check becomes a test is :mod:`.pytest_checks`'; what a test's results mean is
:mod:`.verdict`'s; the scrubbing of every report object (before
pytest's terminal, JUnit XML or pytest-html see it) and of the metadata table is
:mod:`.reporting`'s; pytest-html's hooks are :mod:`.html_hooks`'. Log records are redacted when
created.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from . import early_start, history
from .checks.prerequisites import facts
from .config import load_config, secret_candidates
from .credentials import Credential
from .doctor import Doctor
from .errors import DoctorError
from .files import usable_report_dir
from .findings import Outcome
from .html_hooks import HtmlHooks, attach_html_extra
from .html_page import rows_html
from .prefetch import Prefetcher, whole_run
from .pytest_checks import FAILURE_KEY, RESULTS_KEY, check_id, declared_check
from .redaction import RedactingLogRecordFactory, Redactor, one_line, plain_text
from .registry import Check
from .report import CheckRecord, Report
from .reporting import guarded, scrub_debug_log_at_exit, scrub_metadata, scrub_report
from .runner import CheckResult, internal_error
from .settings import SETTINGS
from .terminal import TerminalSummary

DOCTOR_KEY = pytest.StashKey[Doctor]()


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
    started = early_start.take(options)  # what `wa-doctor check` started before pytest
    server = started.server if started else None
    try:
        settings = started.doctor.config if started else load_config(options, os.environ)
        report_dir = usable_report_dir(
            Path(str(settings.report_dir or config.rootpath / "reports"))
        )
        if settings.simulate and not started:
            from . import simulator  # only when simulating: it brings a web server along

            server, settings = simulator.start_for(str(settings.simulate), settings)
        doctor = started.doctor if started else Doctor.create(settings)
        doctor.read_baseline(report_dir / "report.json")
    except DoctorError as exc:
        if started:
            started.prefetcher.stop()
        if server is not None:
            server.stop()
        redact = Redactor(secret_candidates(options, os.environ))
        raise pytest.UsageError(redact(f"wa-doctor: {exc}")) from None
    config.stash[DOCTOR_KEY] = doctor
    scrub_debug_log_at_exit(config, doctor.redactor)
    _leave_the_findings_to_the_summary(config.option)
    if config.pluginmanager.hasplugin("html"):
        if not config.getoption("htmlpath", None):
            config.option.htmlpath = str(report_dir / "report.html")
        config.option.self_contained_html = True
    html = config.pluginmanager.hasplugin("html")
    plugin = DoctorPlugin(doctor, report_dir / "report.json", server, html=html)
    config.pluginmanager.register(plugin, "wa-doctor")
    if started:
        plugin.prefetcher = started.prefetcher
    elif diagnostics is not None and runs_everything(config, diagnostics):
        plugin.prefetcher = whole_run(doctor)
    if html:
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


@pytest.fixture(scope="session")
def doctor(pytestconfig: pytest.Config) -> Doctor:
    """The run's :class:`Doctor` (only in doctor mode: ``pytest diagnostics/``)."""
    try:
        return pytestconfig.stash[DOCTOR_KEY]
    except KeyError:
        pytest.skip("wa-doctor is not active: run `pytest diagnostics/`")


@pytest.fixture(scope="session", autouse=True)
def credential_names(request: pytest.FixtureRequest) -> Iterator[None]:
    """JUnit XML names each credential as people know it (business name and number) in its
    suite's properties, once every check has run: a failure's message names the label."""
    plugins = request.config.pluginmanager
    plugin = plugins.get_plugin("wa-doctor")
    if not isinstance(plugin, DoctorPlugin) or not plugins.has_plugin("junitxml"):
        yield
        return
    record = request.getfixturevalue("record_testsuite_property")
    yield
    for label, name in plugin.report.names.items():
        record(f"credential {label}", name)


class DoctorPlugin:
    """Hooks active in doctor mode: fetch ahead, scrub reports, collect records, write JSON."""

    def __init__(
        self, doctor: Doctor, json_path: Path, server: Any = None, html: bool = False
    ) -> None:
        self.doctor = doctor
        self.server = server
        self.html = html
        """Whether pytest-html writes a report: only then are its rows drawn (and it imported)."""
        self.report = Report(doctor, facts)
        self.json_path = json_path
        self.json_written = False
        self.sarif_path = Path(doctor.config.sarif) if doctor.config.sarif else None
        self.sarif_written = False
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
        scrub_metadata(session.config, self.doctor)

    def prefetch(self, selected: list[tuple[Check, Credential]]) -> None:
        """Fetch, in background threads, what these (check, credential) pairs will read."""
        workers = self.doctor.config.concurrency
        self.prefetcher = Prefetcher(self.doctor, selected, workers).start()

    @pytest.hookimpl(tryfirst=True)
    @guarded
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        """As the checks start, fetch what the selected ones will read (unless the whole suite
        started fetching at configuration), in background threads."""
        # Everything built so far (modules, the doctor, the collected items) lives to the end
        # of the run: frozen, the garbage collector stops walking it on every pass (with
        # thousands of items that was a good part of the run's CPU, and pytest collects five
        # times over at the end).
        gc.freeze()
        if session.config.option.collectonly:
            return
        if self.prefetcher is not None:  # started before the checks were collected
            self.prefetcher.follow(filter(None, map(declared_check, session.items)))
            return
        self.prefetch(
            [
                (declared, credential)
                for declared in filter(None, map(declared_check, session.items))
                if declared.reads
                for credential in self.doctor.credentials
            ]
        )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, Any]:
        report = yield
        scrub_report(report, self.doctor.redactor)
        if report.when == "call" and report.failed and FAILURE_KEY in item.stash:
            report.longrepr = item.stash[FAILURE_KEY]
        if report.when == "call" or (report.when == "setup" and not report.passed):
            records = self._records(item, report, call)
            for record in records:
                self.report.add(record)
                # JUnit XML reads properties from the teardown report, which copies the item's.
                item.user_properties.extend(record.properties())
                report.user_properties.extend(record.properties())
            report.wa_records = records
            if self.html:
                attach_html_extra(report, rows_html(self.report, records))
        return report

    def _records(
        self, item: pytest.Item, report: Any, call: pytest.CallInfo[None]
    ) -> list[CheckRecord]:
        """One record per credential the test checked (one of no credential for a general
        check); a test that failed without a failed check (a fixture, a bug) is a failure of
        its own, and one that never reached its check is skipped with pytest's reason."""
        name = check_id(item)

        def record(credential: Credential | None, result: CheckResult) -> CheckRecord:
            return CheckRecord.of(self.doctor, name, item.nodeid, credential, result)

        records = [record(c, result) for c, result in item.stash.get(RESULTS_KEY, [])]
        if report.failed and not any(r.outcome is Outcome.FAILED for r in records):
            detail = call.excinfo.exconly() if call.excinfo else str(report.longrepr)
            records.append(record(None, internal_error(self.doctor, detail)))
        if records:
            return records
        outcome = Outcome.SKIPPED if report.skipped else Outcome.PASSED
        message = self.doctor.redactor(_skip_reason(report)) if report.skipped else ""
        return [CheckRecord(name, item.nodeid, None, outcome, None, message)]

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Generator[None, Any, Any]:
        """A diagnostics file that fails to import is a failure of the run, never silence."""
        report = yield
        scrub_report(report, self.doctor.redactor)
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
        gc.freeze()  # the records too, which live to the end (see pytest_runtestloop)
        self._write_json(session)
        self._write_job_summary()
        result = yield
        self._print_summary(session.config)
        return result

    def _write_json(self, session: pytest.Session) -> None:
        """report.json, then this run's line of the history beside it."""
        self.json_written = self._write(session, self.json_path, self.report.write_json)
        if self.json_written and self.report.complete:  # a narrowed run is no line of it
            self._write(session, self.json_path.parent / history.HISTORY, self._write_history)
        if self.sarif_path is not None:
            self.sarif_written = self._write(session, self.sarif_path, self._write_sarif)

    def _write_sarif(self, path: Path) -> None:
        from . import sarif  # only when asked for: it brings explain's text along

        sarif.write(self.report, path)

    def _write_history(self, path: Path) -> None:
        entry = self.report.history_entry()
        self.report.history = history.update(path, entry, self.doctor.redactor)

    def _write(self, session: pytest.Session, path: Path, write: Callable[[Path], None]) -> bool:
        """Write ``path``; one that cannot be written is said (redacted) and fails the run,
        never a crash."""
        try:
            write(path)
        except Exception as exc:
            message = f"wa-doctor: could not write {path}: {type(exc).__name__}: {exc}"
            sys.stderr.write(self._shown(message) + "\n")
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
            return False
        return True

    @guarded
    def _write_job_summary(self) -> None:
        """Under GitHub Actions, the diagnosis on the run's page too (``$GITHUB_STEP_SUMMARY``);
        a summary that cannot be written is said, never a failure of the diagnosis."""
        where = os.environ.get("GITHUB_STEP_SUMMARY")
        if not where:
            return
        from . import job_summary  # only under GitHub Actions

        try:
            with open(where, "a", encoding="utf-8") as summary:
                summary.write(job_summary.markdown(self.report))
        except OSError as exc:
            message = f"wa-doctor: could not write the job summary: {exc.strerror}"
            sys.stderr.write(self.doctor.redactor(message) + "\n")

    def _shown(self, text: str) -> str:
        """A line naming a path the user gave (a settings file is foreign text too): redacted,
        on one line, never a workflow command."""
        return one_line(plain_text(self.doctor.redactor(text)))

    @guarded
    def _print_summary(self, config: pytest.Config) -> None:
        tr = config.pluginmanager.get_plugin("terminalreporter")
        if tr is None:  # -p no:terminal
            return
        label = self.doctor.catalog.label
        tr.write_sep("=", "WhatsApp Cloud API doctor")
        width = config.get_terminal_writer().fullwidth - 1 if sys.stdout.isatty() else None
        for text, colour in TerminalSummary(self.report).lines(config.get_verbosity(), width):
            for line in text.split("\n"):
                tr.write_line(line, **({colour: True} if colour else {}))
        html = config.getoption("htmlpath", None)
        written = [
            (label("html_report", self.doctor.lang), Path(html).resolve() if html else None),
            (label("json_report", self.doctor.lang), self.json_written and self.json_path),
            ("SARIF", self.sarif_written and self.sarif_path),
        ]
        for name, path in written:
            if path:
                tr.write_line(self._shown(f"{name}: {path}"))
        if os.environ.get("GITHUB_ACTIONS") == "true":  # the runner's own commands, escaped
            from . import annotations

            for line in annotations.lines(self.report):
                tr.write_line(line)


def _skip_reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "")
