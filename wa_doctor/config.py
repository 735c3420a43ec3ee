"""Configuration, read once per run from every place the user's guides put it.

Precedence, highest first: a ``--wa-…`` command-line option, the process environment,
``.env.local``, ``.env`` (both in the current directory, read with python-dotenv), the settings
file (``wa-doctor.toml`` or ``[tool.wa-doctor]`` in ``pyproject.toml``, :mod:`.config_file`),
the default.
Every value remembers where it came from, because "which token is the CRM really using?" is the
classic question after a renewal, and the report answers it by naming the source, never the value.

The settings are one table (:data:`SETTINGS`) so that the pytest options, the README and the
loader cannot drift apart.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qsl, quote, unquote

from dotenv import dotenv_values

from .config_file import ConfigFile, Ignore, option_ignores, read_config_file
from .errors import ConfigError
from .redaction import Redactor, plain_text, token_preview

DEFAULT_API_VERSION = "v25.0"
"""The Graph version this tool calls by default: current, with a published end date (2028-07-29)."""

ENV_FILES = (".env.local", ".env")
"""Read in this order; a key found in an earlier file wins. Same names as the guides use."""

MAX_VALUE_LENGTH = 4096
"""Longer values are refused: a real token is ~200-300 characters; 4 KiB means a pasted file."""

LANGUAGES = ("es", "en")
_N = TypeVar("_N", int, float)


def _text(value: str) -> str:
    return value


def _between(
    convert: Callable[[str], _N], low: _N, high: _N, unit: str = ""
) -> Callable[[str], _N]:
    """A parser for numbers from ``low`` to ``high``: a bound that says so, rather than 50,000
    threads, or a 0.0001 s timeout PostgreSQL would round to 0 ms and read as no limit."""

    def parse(value: str) -> _N:
        number = convert(value)
        if not low <= number <= high:  # also refuses nan
            raise ValueError(f"must be from {low} to {high}{unit}")
        return number

    return parse


_PHONE_PUNCTUATION = re.compile(r"[\s().\-]")
_E164 = re.compile(r"\+?[1-9][0-9]{6,14}")


def _recipient(value: str) -> str:
    """A WhatsApp recipient: an E.164-style number (``+`` and 7-15 digits; spaces, dashes and
    brackets as people write them are dropped)."""
    number = _PHONE_PUNCTUATION.sub("", value)
    if not _E164.fullmatch(number):
        raise ValueError("is not a phone number in international form, e.g. +15550001111")
    return number


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip().lower()
        if value not in choices:
            raise ValueError(f"choose one of: {', '.join(choices)}")
        return value

    return parse


_language = _choice(*LANGUAGES)


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("use true or false")


@dataclass(frozen=True)
class Setting:
    """One configurable value: its environment name, its pytest option and how to parse it."""

    name: str
    env: str
    help: str
    default: object = None
    parse: Callable[[str], object] = _text
    secret: bool = False
    is_flag: bool = False
    secret_parts: Callable[[str], list[str]] = lambda value: [value]
    """What of a secret value must never be shown (the whole value, or a URL's password)."""

    @property
    def option(self) -> str:
        return "--wa-" + self.name.replace("_", "-")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "access_token",
        "WHATSAPP_ACCESS_TOKEN",
        "Meta access token (prefer the environment: options land in shell history).",
        secret=True,
    ),
    Setting(
        "phone_number_id",
        "WHATSAPP_PHONE_NUMBER_ID",
        "Phone Number ID from WhatsApp > API Setup (not the phone number itself).",
    ),
    Setting(
        "business_account_id",
        "WHATSAPP_BUSINESS_ACCOUNT_ID",
        "WhatsApp Business Account (WABA) id, optional.",
    ),
    Setting(
        "api_version",
        "WHATSAPP_API_VERSION",
        "Graph API version your CRM calls, e.g. v21.0.",
        default=DEFAULT_API_VERSION,
    ),
    Setting(
        "graph_url",
        "WHATSAPP_GRAPH_URL",
        "Graph API base URL.",
        default="https://graph.facebook.com",
    ),
    Setting("app_id", "WHATSAPP_APP_ID", "Meta app id, optional: checks the token's app."),
    Setting(
        "app_secret",
        "WHATSAPP_APP_SECRET",
        "Meta app secret, optional: debug_token then uses the app token.",
        secret=True,
    ),
    Setting(
        "database_url",
        "DATABASE_URL",
        "PostgreSQL/Supabase URL of the CRM database (read-only use).",
        secret=True,
        secret_parts=lambda url: _dsn_passwords(url),
    ),
    Setting(
        "db_table",
        "WA_DOCTOR_DB_TABLE",
        "Credential table, schema.table.",
        default="crm.marketing_channel_credential",
    ),
    Setting(
        "db_columns",
        "WA_DOCTOR_DB_COLUMNS",
        "Column names that differ from the guide, e.g. 'access_token=token,activo=active'.",
        default="",
    ),
    Setting(
        "lang",
        "WA_DOCTOR_LANG",
        "Language of findings and remedies: es or en.",
        default="es",
        parse=_language,
    ),
    Setting(
        "report_dir",
        "WA_DOCTOR_REPORT_DIR",
        "Where report.html and report.json are written (default: reports/ of the project).",
    ),
    Setting(
        "expiry_warning_days",
        "WA_DOCTOR_EXPIRY_WARNING_DAYS",
        "Warn when the token expires within this many days.",
        default=7,
        parse=_between(int, 0, 365),
    ),
    Setting(
        "timeout",
        "WA_DOCTOR_TIMEOUT",
        "Deadline in seconds for the network calls of every --wa-concurrency credentials "
        "(1 to 600; one call stops after 10 s).",
        default=30.0,
        parse=_between(float, 1, 600, " seconds"),
    ),
    Setting(
        "concurrency",
        "WA_DOCTOR_CONCURRENCY",
        "Most Graph API requests in flight at once, 1 to 64 (Meta rate-limits bursts).",
        default=8,
        parse=_between(int, 1, 64),
    ),
    Setting(
        "credential",
        "WA_DOCTOR_CREDENTIAL",
        "Diagnose only this credential: its label (db3-106540352242922), row id or phone "
        "number id.",
    ),
    Setting(
        "template",
        "WA_DOCTOR_TEMPLATE",
        "The campaign template to check (and to send with --wa-send-to).",
        default="hello_world",
    ),
    Setting(
        "template_language",
        "WA_DOCTOR_TEMPLATE_LANGUAGE",
        "The template's exact language code (en_US is not en).",
        default="en_US",
    ),
    Setting(
        "campaign_size",
        "WA_DOCTOR_CAMPAIGN_SIZE",
        "Unique recipients of the campaign you plan: fails when the messaging limit is lower.",
        parse=_between(int, 1, 100_000_000),
    ),
    Setting(
        "template_params",
        "WA_DOCTOR_TEMPLATE_PARAMS",
        "How many body parameters the CRM sends with the template: fails on a mismatch (132000).",
        parse=_between(int, 0, 100),
    ),
    Setting(
        "send_to",
        "WA_DOCTOR_SEND_TO",
        "Opt-in: really send the template to this number (e.g. +15550001111). Never by default.",
        parse=_recipient,
    ),
    Setting(
        "send_text",
        "WA_DOCTOR_SEND_TEXT",
        "With --wa-send-to, also send a free-form text (tests the 24-hour window).",
        default=False,
        parse=_flag,
        is_flag=True,
    ),
    Setting(
        "webhook_verify",
        "WA_DOCTOR_WEBHOOK_VERIFY",
        "Opt-in: send Meta's verification request (hub.challenge) to the callback URL Meta "
        "uses for each number, with WHATSAPP_WEBHOOK_VERIFY_TOKEN.",
        default=False,
        parse=_flag,
        is_flag=True,
    ),
    Setting(
        "webhook_verify_token",
        "WHATSAPP_WEBHOOK_VERIFY_TOKEN",
        "The verify token the CRM's webhook endpoint expects (for --wa-webhook-verify).",
        secret=True,
    ),
    Setting(
        "failures_query",
        "WA_DOCTOR_FAILURES_QUERY",
        "Optional read-only SQL over the CRM's stored webhook failures: first column the error "
        'code, second when it happened, e.g. "SELECT error_code, created_at FROM '
        "crm.whatsapp_message_status WHERE status = 'failed' AND created_at > now() - "
        "interval '7 days'\".",
    ),
    Setting(
        "app_dir",
        "WA_DOCTOR_APP_DIR",
        "The CRM's source folder, checked for the token in .env files and tracked code "
        "(default: the current directory).",
    ),
    Setting(
        "strict",
        "WA_DOCTOR_STRICT",
        "Warnings fail too (exit code 1): the short form of --wa-fail-on warning.",
        default=False,
        parse=_flag,
        is_flag=True,
    ),
    Setting(
        "fail_on",
        "WA_DOCTOR_FAIL_ON",
        "What fails the run: error (default) or warning.",
        default="error",
        parse=_choice("error", "warning"),
    ),
    Setting(
        "ignore",
        "WA_DOCTOR_IGNORE",
        "Finding ids accepted for this run, comma-separated: shown as ignored, failing nothing "
        "(with reasons and end dates: `ignore` in wa-doctor.toml).",
        default=(),
        parse=option_ignores,
    ),
    Setting(
        "simulate",
        "WA_DOCTOR_SIMULATE",
        "Run against the built-in Graph API simulator: a scenario name, or 'list'.",
    ),
)

SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}


@dataclass(frozen=True)
class Config:
    """The resolved configuration of one run, with the source of every value."""

    values: Mapping[str, object]
    sources: Mapping[str, str]
    env_file_problems: tuple[str, ...] = ()
    directory: Path = field(default_factory=Path.cwd)
    file_ignores: tuple[Ignore, ...] = ()
    """Accepted findings from the settings file (with reasons and end dates)."""
    trusted_ca: Path | None = None
    """A certificate authority the webhook handshake trusts besides the system's: only the
    simulator's, for its own HTTPS endpoint; never a setting a user gives."""

    @property
    def ignores(self) -> tuple[Ignore, ...]:
        """Every accepted finding: the settings file's and ``--wa-ignore``'s."""
        return (*self.file_ignores, *tuple(self.values.get("ignore") or ()))

    @property
    def fails_on_warnings(self) -> bool:
        return bool(self.values.get("strict")) or self.values.get("fail_on") == "warning"

    def __getattr__(self, name: str) -> object:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def source(self, name: str) -> str:
        return self.sources.get(name, "default")

    def __repr__(self) -> str:
        """Where each value came from, never a secret: pytest prints fixture values
        (``--debug``, ``-l``), and a Doctor's repr includes its Config."""
        shown = ", ".join(f"{name}={self.shown(name)}" for name in self.values)
        return f"Config({shown})"

    def shown(self, name: str) -> str:
        """A value as it may be printed: secrets as a preview, the URL without its password."""
        value = self.values.get(name)
        setting = SETTINGS_BY_NAME.get(name)
        if value is not None and setting is not None and setting.secret:
            return repr(Redactor(setting.secret_parts(str(value)))(str(value)))
        return repr(value)

    def secrets(self) -> list[str]:
        """Every secret of the run, for the redactor: tokens, app secret, the DB password.

        Only the secret part of a value: the database URL's host, port, user and database
        name stay visible, because they are what a ``db.unreachable`` finding asks to check.
        """
        return [
            part
            for s in SETTINGS
            if s.secret and self.values.get(s.name)
            for part in s.secret_parts(str(self.values[s.name]))
        ]

    def with_values(self, **changes: object) -> Config:
        """A copy with some settings replaced (the simulator points graph_url at itself)."""
        undeclared = sorted(set(changes) - set(SETTINGS_BY_NAME))
        if undeclared:
            raise KeyError(f"not settings: {undeclared}")
        return replace(
            self,
            values={**self.values, **changes},
            sources={**self.sources, **dict.fromkeys(changes, "simulator")},
        )


def _dsn_passwords(url: str) -> list[str]:
    """The database password in every form the value holds it, found every way it can be read:
    as a person reads a URL (``scheme://user:password@host``: everything to the last ``@``,
    a raw ``%``, space, quote or ``@`` in it and all), a URL's ``?password=``, a key=value
    string's ``password=…`` (quoted, with backslash escapes, or not), and as libpq parses it.
    Each as written and decoded: what a message might quote."""
    found: set[str] = set()
    password = url_password(url)
    if password is not None:
        found |= {password, unquote(password)}
        for key, value in parse_qsl(url.partition("?")[2], keep_blank_values=True):
            if key == "password":
                found |= {value, quote(value, safe="")}
    found |= set(_keyword_passwords(url))
    if password is None:  # a key=value string: libpq's own reading too (a URL's is the above)
        try:
            from psycopg.conninfo import conninfo_to_dict  # only now: 0.2 s before any request

            found.add(str(conninfo_to_dict(url).get("password") or ""))
        except Exception:  # unparsable: its words are never quoted (store.py)
            pass
    return sorted(p for p in found if p)


def url_password(url: str) -> str | None:
    """The password of a ``scheme://user:password@host…`` URL as a person reads it: the user
    info runs to the last ``@``; None when the value is no such URL."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme.replace("+", "").isalnum():
        return None
    return rest.rpartition("@")[0].partition(":")[2]


def _keyword_passwords(dsn: str) -> Iterator[str]:
    """``password=…`` values of a key=value string, as written and unescaped."""
    start = 0
    while (key := dsn.find("password", start)) >= 0:
        start = key + len("password")
        rest = dsn[start:].lstrip()
        if not rest.startswith("="):
            continue
        value = rest[1:].lstrip()
        if value.startswith("'"):
            written, i = [], 1
            while i < len(value) and value[i] != "'":
                written.append(value[i : i + 2] if value[i] == "\\" else value[i])
                i += 2 if value[i] == "\\" else 1
            raw = "".join(written)
            yield raw
            yield re.sub(r"\\(.)", r"\1", raw)
        else:
            yield (value.split(None, 1) or [""])[0]


def read_env_files(directory: Path) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Read ``.env.local`` then ``.env``: values, the file each came from, and problems found.

    python-dotenv logs (rather than raises) on lines it cannot parse; those warnings are captured
    and returned as problems so the report can name the file and line.
    """
    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    problems: list[str] = []
    for name in ENV_FILES:
        path = directory / name
        if not path.is_file():
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"{name}: not UTF-8 text (byte {exc.start})")
            continue
        except OSError as exc:
            problems.append(f"{name}: cannot be read ({exc.strerror})")
            continue
        parsed, warnings = _parse_dotenv(text)
        problems.extend(f"{name}: {warning}" for warning in warnings)
        for key, value in parsed.items():
            if key not in values and value is not None:
                values[key] = value
                origins[key] = name
    return values, origins, problems


def _parse_dotenv(text: str) -> tuple[dict[str, str | None], list[str]]:
    logger = logging.getLogger("dotenv.main")
    captured: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(record.getMessage())

    handler = _Collect(logging.WARNING)
    logger.addHandler(handler)
    previous_propagate = logger.propagate
    logger.propagate = False
    try:
        parsed = dotenv_values(stream=io.StringIO(text))
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous_propagate
    return dict(parsed), captured


def load_config(
    options: Mapping[str, object | None],
    environ: Mapping[str, str],
    directory: Path | None = None,
) -> Config:
    """Resolve every setting; raise :class:`ConfigError` naming the option for a bad value."""
    directory = directory or Path.cwd()
    file_values, file_origins, problems = read_env_files(directory)
    settings_file = read_config_file(
        directory,
        frozenset(s.name for s in SETTINGS),
        frozenset(s.name for s in SETTINGS if s.secret),
    )
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for setting in SETTINGS:
        raw, source = _pick(setting, options, environ, file_values, file_origins, settings_file)
        if raw is None or (raw == "" and setting.parse is not _text):
            values[setting.name] = setting.default
            sources[setting.name] = "default"
            continue
        if isinstance(raw, str) and len(raw) > MAX_VALUE_LENGTH:
            raise ConfigError(
                f"{setting.option} / {setting.env} ({source}) is {len(raw)} characters long; "
                f"the most accepted is {MAX_VALUE_LENGTH}. Was a whole file pasted?"
            )
        try:
            values[setting.name] = setting.parse(raw) if isinstance(raw, str) else raw
        except ValueError as exc:
            shown = "(hidden)" if setting.secret else shown_value(raw)
            raise ConfigError(
                f"{setting.option} / {setting.env} ({source}) = {shown}: {exc}"
            ) from None
        sources[setting.name] = source
    return Config(values, sources, tuple(problems), directory, settings_file.ignores)


SHOWN_LENGTH = 40
"""Longer values are shown as a preview in usage errors: a long value may be a pasted token."""


def shown_value(raw: object) -> str:
    """A value as a usage error may echo it: plain text, and a preview when it is long."""
    text = plain_text(str(raw))
    return repr(text) if len(text) <= SHOWN_LENGTH else token_preview(text)


def secret_candidates(
    options: Mapping[str, object | None], environ: Mapping[str, str]
) -> list[str]:
    """Every secret the user gave, before the configuration is known to be valid: what a
    usage error must not echo, whichever option it is about."""
    found: list[str] = []
    for setting in SETTINGS:
        if not setting.secret:
            continue
        for raw in (options.get(setting.name), environ.get(setting.env)):
            if raw:
                found.extend(setting.secret_parts(str(raw)))
    return found


def _pick(
    setting: Setting,
    options: Mapping[str, object | None],
    environ: Mapping[str, str],
    file_values: Mapping[str, str],
    file_origins: Mapping[str, str],
    settings_file: ConfigFile,
) -> tuple[object | None, str]:
    option_value = options.get(setting.name)
    if option_value is not None:
        return option_value, f"option {setting.option}"
    if setting.env in environ:
        return environ[setting.env], f"environment {setting.env}"
    if setting.env in file_values:
        return file_values[setting.env], f"{file_origins[setting.env]} {setting.env}"
    if setting.name in settings_file.values:
        return settings_file.values[setting.name], f"{settings_file.origin} {setting.name}"
    return None, "default"
