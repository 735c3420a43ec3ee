"""One diagnosis run, without pytest: configuration, credentials, and everything read once.

The pytest plugin creates one :class:`Doctor` per session and hands it to every check; the
command-line tools create their own. Reading the database happens here, once, so that the
credential list is known before collection (the whole suite's requests start then).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from . import catalog as catalog_module
from .background import Background
from .baseline import RUN, Baseline, BaselineError, keys_of
from .config import Config
from .credentials import Credential, combine, database_credential, environment_credential
from .errors import Blocked, ConfigError, NotApplicable, StoreError
from .graph import GraphClient, GraphSession
from .identifiers import MetaId, meta_id
from .redaction import Redactor
from .settings import DEFAULT_API_VERSION
from .table import CredentialRow, TableSpec
from .tls import TlsContext

_T = TypeVar("_T")


@dataclass(frozen=True)
class StoreState:
    """What reading the credential table gave: rows, or the error that prevented it."""

    configured: bool
    rows: tuple[CredentialRow, ...] = ()
    error: StoreError | None = None
    more_rows: bool = False
    """The table has more active rows than were read (see ``store.MAX_ROWS``)."""


@dataclass
class Doctor:
    """Everything one run knows. Build it with :meth:`create`."""

    config: Config
    redactor: Redactor
    catalog: catalog_module.Catalog
    spec: TableSpec
    store: StoreState
    env: Credential
    credentials: list[Credential]
    """What this run diagnoses: every credential, or the one ``--wa-credential`` names."""
    available: list[Credential]
    """Every credential found, whatever ``--wa-credential`` selected."""
    graph: GraphSession
    meta_ids: Mapping[str, MetaId] = field(default_factory=dict)
    """The run-wide ids (WABA, app) as checked: only their digits are ever used."""
    today: date = field(default_factory=date.today)
    baseline: Baseline | None = None
    """The previous run to compare with (:meth:`read_baseline`), when there is one."""
    baseline_problem: tuple[str, str] | None = None
    """The baseline that could not be used, and why (a catalog term): its finding says so."""
    baseline_skipped: str | None = None
    """Why the report folder's last report is not compared with (a label): a simulated run's
    beside a real one, no problem of the user's."""
    fields_lacking: set[str] = field(default_factory=set)
    """Fields Graph said the version asked does not have: one answer tells it for every
    credential, so the next reads leave them out from the start."""
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _ahead: dict[str, Background[Any]] = field(default_factory=dict, repr=False)
    """Values of :meth:`once` being computed in the background (:meth:`ahead`)."""

    @classmethod
    def create(
        cls, config: Config, redactor: Redactor | None = None, today: date | None = None
    ) -> Doctor:
        tls = TlsContext()  # loads while the database is read, on another core
        redactor = redactor or Redactor(config.secrets())
        try:
            spec = TableSpec.parse(config.db_table, config.db_columns)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        store = _read_store(config, spec, redactor)
        for row in store.rows:
            redactor.add(row.access_token)
        meta_ids = {name: meta_id(config.values.get(name)) for name in GLOBAL_IDS}
        waba = meta_ids["business_account_id"].usable
        rows = [
            database_credential(r, spec.qualified, waba, n)
            for n, r in enumerate(store.rows, start=1)
        ]
        env = environment_credential(
            config.access_token, config.source("access_token"), config.phone_number_id, waba
        )
        catalog = catalog_module.load()
        today = today or date.today()
        version = config.api_version.strip()
        available = combine(env, rows)
        credentials = select(available, config.credential)
        concurrency = config.concurrency
        waves = max(1, math.ceil(len(credentials) / concurrency))
        client = GraphClient(
            config.graph_url,
            version if catalog.api_version_served(version, today) else DEFAULT_API_VERSION,
            timeout=config.timeout * waves,
            redactor=redactor,
            catalog=catalog,
            app_secret=config.app_secret or None,
            concurrency=concurrency,
            tls=tls,
        )
        return cls(
            config=config,
            redactor=redactor,
            catalog=catalog,
            spec=spec,
            store=store,
            env=env,
            credentials=credentials,
            available=available,
            graph=GraphSession(client),
            meta_ids=meta_ids,
            today=today,
        )

    def __repr__(self) -> str:
        """pytest prints fixture values (``--debug``); this one holds every secret of the run."""
        labels = ", ".join(c.label for c in self.credentials)
        return f"Doctor(lang={self.lang!r}, credentials=[{labels}], config={self.config!r})"

    def close(self) -> None:
        self.graph.close()

    def ignored(self, finding_id: str, credential: Credential | None = None) -> str | None:
        """The reason this finding does not count: the user accepted it, while the acceptance
        holds (an ``until`` date in the past no longer counts), or, with ``--wa-fail-on new``,
        the baseline had it already."""
        for rule in self.config.ignores:
            if rule.finding_id == finding_id and rule.active(self.today):
                return rule.reason
        if self.config.fail_on == "new" and self.baseline is not None:
            seen = self.baseline.first_seen.get((self.key(credential), finding_id))
            if seen is not None:
                return self.catalog.label("baseline_seen", self.lang).format(since=seen[:10])
        return None

    @functools.cached_property
    def keys(self) -> dict[str, str]:
        """Each credential's key across runs, by label (see :func:`.baseline.credential_keys`)."""
        return keys_of(self.credentials)

    def key(self, credential: Credential | None) -> str:
        """A credential's key across runs; the run's own checks have one of their own."""
        return RUN if credential is None else self.keys[credential.label]

    def read_baseline(self, default: Path) -> None:
        """Read the run to compare with: ``--wa-baseline``, else ``default`` (the report folder's
        report.json, before this run replaces it); none with ``--wa-baseline none``. A baseline
        that cannot be used is remembered with the reason, for its finding."""
        given = (self.config.baseline or "").strip()
        if given.lower() == "none":
            return
        path = Path(given) if given else default
        try:
            baseline = Baseline.read(path)
        except BaselineError as exc:
            self.baseline_problem = (str(path), exc.reason)
            return
        if baseline is not None and bool(baseline.simulated) != bool(self.config.simulate):
            reason = "baseline_simulated" if baseline.simulated else "baseline_real"
            if given:  # asked for by name: a wrong file is worth a warning
                self.baseline_problem = (str(path), reason)
            else:  # the folder's last report was a try of the simulator (the README's first step)
                self.baseline_skipped = f"skip_{reason}"
            return
        self.baseline = baseline

    def once(self, key: str, compute: Callable[[], _T]) -> _T:
        """A run-wide value computed once, for reads that several checks share: the one
        :meth:`ahead` started, when it did (an error it met is raised here, once)."""
        if key not in self._memo:
            started = self._ahead.pop(key, None)
            self._memo[key] = started.result() if started is not None else compute()
        return self._memo[key]

    def ahead(self, key: str, compute: Callable[[], Any]) -> None:
        """Start computing :meth:`once`'s value for ``key`` in the background, for a read that
        waits on a server (its own deadlines bound it): made while pytest starts, it is not
        waited for inside the check."""
        if key not in self._memo and key not in self._ahead:
            self._ahead[key] = Background(compute, f"wa-doctor-{key}")

    def peek(self, key: str) -> Any:
        """What :meth:`once` computed under ``key``, without computing it (None if it did not)."""
        return self._memo.get(key)

    @staticmethod
    def now() -> int:
        return int(time.time())

    @property
    def app_token(self) -> str | None:
        """``APP_ID|APP_SECRET`` when both are configured: debug_token's preferred caller."""
        app_id = self.meta_ids["app_id"].usable if "app_id" in self.meta_ids else None
        if app_id and self.config.app_secret:
            return f"{app_id}|{self.config.app_secret}"
        return None

    @property
    def lang(self) -> str:
        return self.config.lang

    # -- what checks require ---------------------------------------------------------------
    def require_database(self) -> StoreState:
        """The store state; the check does not apply when no database is configured."""
        if not self.store.configured:
            raise NotApplicable("skip_no_database")
        return self.store

    def require_rows(self) -> tuple[CredentialRow, ...]:
        """The active rows; blocked by whatever stopped them being read."""
        state = self.require_database()
        if state.error is not None:
            raise Blocked(state.error.finding_id)
        return state.rows

    # -- rendering --------------------------------------------------------------------------
    def context(self, credential: Credential | None = None) -> dict[str, Any]:
        """Placeholders for catalog texts: table and columns, and the credential's facts."""
        values = base_context(self.spec, self.catalog, self.lang)
        values["api_version"] = self.config.api_version
        if self.config.simulate:  # "Meta accepted the template" would read as a real send
            values["graph"] = self.catalog.label("graph_simulated", self.lang)
        if credential is None:
            return values
        values.update(
            credential=credential.label,
            token_preview=credential.token_preview,
            token_source=credential.token_source,
            phone_number_id=credential.phone_number_id or "—",
            waba_id=credential.business_account_id or "—",
        )
        values["renew_args"] = (
            f"--credential {credential.label} --env-file .env.local"
            if credential.from_database
            else "--env-file .env.local"
        )
        if credential.from_database:
            row = _sql_text(credential.row_id)
            values["row_filter"] = f"{self.spec.columns['id']} = {row}"
            values["row_label"] = self.catalog.label("row_label_id", self.lang).format(
                id_col=self.spec.columns["id"], row_id=row
            )
        elif credential.phone_number_id:
            phone = _sql_text(credential.phone_number_id)
            values["row_filter"] += f" AND {self.spec.columns['phone_number_id']} = {phone}"
            values["row_label"] = self.catalog.label("row_label_phone", self.lang).format(
                phone_col=self.spec.columns["phone_number_id"], phone=phone
            )
        return values


GLOBAL_IDS = ("business_account_id", "app_id")
"""Ids that hold for every credential of the run (the phone number id is per credential)."""

STORE_TIMEOUT = 5.0
"""Connect and statement timeout of the credential query (a healthy one takes milliseconds)."""


def base_context(spec: TableSpec, catalog: catalog_module.Catalog, lang: str) -> dict[str, Any]:
    """Placeholders every remedy may use, before anything is known about a credential."""
    return {
        **spec.context(),
        "credential": "—",
        "fbtrace_id": "—",
        "graph": "Meta",
        "renew_args": "--env-file .env.local",
        # No row known (an explanation, a credential without a number): the UPDATE names a row
        # the user must fill in, never the guide's filter, which changes every active row.
        "row_label": catalog.label("row_label_unknown", lang),
        "row_filter": f"{spec.columns['id']} = {catalog.label('row_id_placeholder', lang)}",
    }


def _sql_text(value: object) -> str:
    """A value as an SQL string literal for remedy text the user pastes (quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def select(credentials: list[Credential], wanted: object) -> list[Credential]:
    """The credentials ``--wa-credential`` names (label, row id or phone number id); all of them
    when it is not set. An empty result is reported by the ``credential_selected`` check."""
    if not wanted:
        return credentials
    name = str(wanted).strip()
    return [
        c
        for c in credentials
        if name in (c.key, str(c.row_id) if c.from_database else None, c.phone_number_id)
    ]


def _read_store(config: Config, spec: TableSpec, redactor: Redactor) -> StoreState:
    url = config.database_url
    if not url:
        return StoreState(configured=False)
    from .store import MAX_ROWS, read_active_credentials  # only now: it loads the driver

    try:
        timeout = min(STORE_TIMEOUT, config.timeout)
        rows = read_active_credentials(str(url), spec, redactor, timeout=timeout)
    except StoreError as exc:
        return StoreState(configured=True, error=exc)
    return StoreState(configured=True, rows=tuple(rows[:MAX_ROWS]), more_rows=len(rows) > MAX_ROWS)
