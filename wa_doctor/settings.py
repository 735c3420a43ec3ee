"""Every setting of the doctor, declared once: its type, its environment variable, its
``--wa-…`` option, its help, its default and how its text is read.

A setting is a field of :class:`Settings`; the table the options, the ``--help`` of ``wa-doctor
check``, the settings file and the loader work from (:data:`SETTINGS`) is derived from those
fields, so they cannot drift apart, and code reads each value with its type
(``config.timeout`` is a float) instead of casting what a mapping gave.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from .config_file import Ignore, option_ignores
from .passwords import dsn_passwords

DEFAULT_API_VERSION = "v25.0"
"""The Graph version this tool calls by default: current, with a published end date (2028-07-29)."""

MAX_VALUE_LENGTH = 4096
"""Longer values are refused: a real token is ~200-300 characters; 4 KiB means a pasted file."""

LANGUAGES = ("es", "en")
_N = TypeVar("_N", int, float)


def text(value: str) -> str:
    """A setting read as written (what most are)."""
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


BSUID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}")
"""A business-scoped user id, as Meta's 2026 webhooks give a user who hides their number: a
country code, a dot and up to 128 letters and digits (``US.13491208655302741918``)."""


def _recipient(value: str) -> str:
    """A WhatsApp recipient: an E.164-style number (``+`` and 7-15 digits; spaces, dashes and
    brackets as people write them are dropped), or a business-scoped user id as it is."""
    if BSUID.fullmatch(value.strip()):
        return value.strip()
    number = _PHONE_PUNCTUATION.sub("", value)
    if not _E164.fullmatch(number):
        raise ValueError(
            "is not a phone number in international form (+15550001111) "
            "or a business-scoped user id (US.13491208655302741918)"
        )
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
    parse: Callable[[str], object] = text
    secret: bool = False
    is_flag: bool = False
    secret_parts: Callable[[str], list[str]] = lambda value: [value]
    """What of a secret value must never be shown (the whole value, or a URL's password)."""

    @property
    def option(self) -> str:
        return "--wa-" + self.name.replace("_", "-")


def setting(
    env: str,
    help: str,
    default: Any = None,
    parse: Callable[[str], object] = text,
    secret: bool = False,
    is_flag: bool = False,
    secret_parts: Callable[[str], list[str]] | None = None,
) -> Any:
    """Declare a field of :class:`Settings` as a setting (its name is the field's)."""
    declared = {"env": env, "help": help, "default": default, "parse": parse, "secret": secret}
    declared |= {"is_flag": is_flag} | ({"secret_parts": secret_parts} if secret_parts else {})
    return field(default=default, metadata={"setting": declared})


@dataclass(frozen=True, repr=False)
class Settings:
    """The value of every setting, typed; a secret is shown only as a preview (pytest prints
    values with ``--debug`` and ``-l``)."""

    access_token: str | None = setting(
        "WHATSAPP_ACCESS_TOKEN",
        "Meta access token (prefer the environment: options land in shell history).",
        secret=True,
    )
    phone_number_id: str | None = setting(
        "WHATSAPP_PHONE_NUMBER_ID",
        "Phone Number ID from WhatsApp > API Setup (not the phone number itself).",
    )
    business_account_id: str | None = setting(
        "WHATSAPP_BUSINESS_ACCOUNT_ID", "WhatsApp Business Account (WABA) id, optional."
    )
    api_version: str = setting(
        "WHATSAPP_API_VERSION",
        "Graph API version your CRM calls, e.g. v21.0.",
        default=DEFAULT_API_VERSION,
    )
    graph_url: str = setting(
        "WHATSAPP_GRAPH_URL", "Graph API base URL.", default="https://graph.facebook.com"
    )
    app_id: str | None = setting(
        "WHATSAPP_APP_ID", "Meta app id, optional: checks the token's app."
    )
    app_secret: str | None = setting(
        "WHATSAPP_APP_SECRET",
        "Meta app secret, optional: debug_token then uses the app token.",
        secret=True,
    )
    database_url: str | None = setting(
        "DATABASE_URL",
        "PostgreSQL/Supabase URL of the CRM database (read-only use).",
        secret=True,
        secret_parts=dsn_passwords,
    )
    db_table: str = setting(
        "WA_DOCTOR_DB_TABLE",
        "Credential table, schema.table.",
        default="crm.marketing_channel_credential",
    )
    db_columns: str = setting(
        "WA_DOCTOR_DB_COLUMNS",
        "Column names that differ from the guide, e.g. 'access_token=token,activo=active'.",
        default="",
    )
    lang: str = setting(
        "WA_DOCTOR_LANG",
        "Language of findings and remedies: es or en.",
        default="es",
        parse=_language,
    )
    report_dir: str | None = setting(
        "WA_DOCTOR_REPORT_DIR",
        "Where report.html and report.json are written (default: reports/ in the folder "
        "wa-doctor check runs in; in pytest's root folder for pytest diagnostics/).",
    )
    expiry_warning_days: int = setting(
        "WA_DOCTOR_EXPIRY_WARNING_DAYS",
        "Warn when the token expires within this many days.",
        default=7,
        parse=_between(int, 0, 365),
    )
    timeout: float = setting(
        "WA_DOCTOR_TIMEOUT",
        "Deadline in seconds for the network calls of every --wa-concurrency credentials "
        "(1 to 600; one call stops after 10 s).",
        default=30.0,
        parse=_between(float, 1, 600, " seconds"),
    )
    concurrency: int = setting(
        "WA_DOCTOR_CONCURRENCY",
        "Most Graph API requests in flight at once, 1 to 64 (Meta rate-limits bursts).",
        default=8,
        parse=_between(int, 1, 64),
    )
    credential: str | None = setting(
        "WA_DOCTOR_CREDENTIAL",
        "Diagnose only this credential: its label (db3-106540352242922), row id or phone "
        "number id.",
    )
    template: str = setting(
        "WA_DOCTOR_TEMPLATE",
        "The campaign template to check (and to send with --wa-send-to).",
        default="hello_world",
    )
    template_language: str = setting(
        "WA_DOCTOR_TEMPLATE_LANGUAGE",
        "The template's exact language code (en_US is not en).",
        default="en_US",
    )
    campaign_size: int | None = setting(
        "WA_DOCTOR_CAMPAIGN_SIZE",
        "Unique recipients of the campaign you plan: fails when the messaging limit is lower.",
        parse=_between(int, 1, 100_000_000),
    )
    template_params: int | None = setting(
        "WA_DOCTOR_TEMPLATE_PARAMS",
        "How many body parameters the CRM sends with the template: fails on a mismatch (132000).",
        parse=_between(int, 0, 100),
    )
    send_to: str | None = setting(
        "WA_DOCTOR_SEND_TO",
        "Opt-in: really send the template to this number (+15550001111) or business-scoped "
        "user id (US.13491208655302741918). Never by default.",
        parse=_recipient,
    )
    send_text: bool = setting(
        "WA_DOCTOR_SEND_TEXT",
        "With --wa-send-to, also send a free-form text (tests the 24-hour window).",
        default=False,
        parse=_flag,
        is_flag=True,
    )
    webhook_verify: bool = setting(
        "WA_DOCTOR_WEBHOOK_VERIFY",
        "Opt-in: send Meta's verification request (hub.challenge) to the callback URL Meta "
        "uses for each number, with WHATSAPP_WEBHOOK_VERIFY_TOKEN.",
        default=False,
        parse=_flag,
        is_flag=True,
    )
    webhook_verify_token: str | None = setting(
        "WHATSAPP_WEBHOOK_VERIFY_TOKEN",
        "The verify token the CRM's webhook endpoint expects (for --wa-webhook-verify).",
        secret=True,
    )
    failures_query: str | None = setting(
        "WA_DOCTOR_FAILURES_QUERY",
        "Optional read-only SQL over the CRM's stored webhook failures: first column the error "
        'code, second when it happened, e.g. "SELECT error_code, created_at FROM '
        "crm.whatsapp_message_status WHERE status = 'failed' AND created_at > now() - "
        "interval '7 days'\".",
    )
    app_dir: str | None = setting(
        "WA_DOCTOR_APP_DIR",
        "The CRM's source folder, checked for the token in .env files and tracked code "
        "(default: the current directory).",
    )
    strict: bool = setting(
        "WA_DOCTOR_STRICT",
        "Warnings fail too (exit code 1): the short form of --wa-fail-on warning.",
        default=False,
        parse=_flag,
        is_flag=True,
    )
    fail_on: str = setting(
        "WA_DOCTOR_FAIL_ON",
        "What fails the run: error (default), warning, or new (only problems the baseline "
        "did not have).",
        default="error",
        parse=_choice("error", "warning", "new"),
    )
    baseline: str | None = setting(
        "WA_DOCTOR_BASELINE",
        "A previous report.json to say what changed since (default: the one in the report "
        "folder, read before it is replaced; none for no comparison).",
    )
    sarif: str | None = setting(
        "WA_DOCTOR_SARIF",
        "Also write the findings that point at a file (a token in the code, a hard-coded Graph "
        "version) to this path as SARIF 2.1.0, for GitHub code scanning.",
    )
    ignore: tuple[Ignore, ...] = setting(
        "WA_DOCTOR_IGNORE",
        "Finding ids accepted for this run, comma-separated: shown as ignored, failing nothing "
        "(with reasons and end dates: `ignore` in wa-doctor.toml).",
        default=(),
        parse=option_ignores,
    )
    simulate: str | None = setting(
        "WA_DOCTOR_SIMULATE",
        "Run against the built-in Graph API simulator: a scenario name, or 'list'.",
    )

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={self.shown(name)}" for name in SETTINGS_BY_NAME)
        return f"{type(self).__name__}({shown})"

    def shown(self, name: str) -> str:
        """A value as it may be printed: secrets as a preview, the URL without its password."""
        from .redaction import Redactor

        value = getattr(self, name)
        setting = SETTINGS_BY_NAME[name]
        if value is not None and setting.secret:
            return repr(Redactor(setting.secret_parts(str(value)))(str(value)))
        return repr(value)


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(name=f.name, **f.metadata["setting"]) for f in fields(Settings)
)
"""Every setting, in the order the help lists them."""
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}
