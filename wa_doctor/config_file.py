"""The project's settings file: ``wa-doctor.toml``, or ``[tool.wa-doctor]`` in ``pyproject.toml``.

A CRM team commits the settings that are not secrets (the campaign template, the language, the
app folder, accepted warnings) so every run, local or CI, diagnoses the same way. Precedence is
option > environment (and ``.env.local``, ``.env``) > this file > default. A secret in it is
refused: the file is committed, and a token in git is the very leak the exposure checks look for.

Accepted findings go in ``ignore``: each with the finding id, a reason and optionally an end date
(an expired entry stops working, so an acceptance cannot outlive its reason unnoticed)::

    [tool.wa-doctor]
    template = "promo_octubre"
    lang = "en"
    ignore = [{ id = "phone.quality_low", reason = "agreed with Meta", until = 2027-01-31 }]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .errors import ConfigError

FILE_NAME = "wa-doctor.toml"
PYPROJECT_TABLE = ("tool", "wa-doctor")


@dataclass(frozen=True)
class Ignore:
    """An accepted finding: shown in every report, marked ignored, and it fails nothing."""

    finding_id: str
    reason: str
    until: date | None = None

    def active(self, today: date) -> bool:
        return self.until is None or today <= self.until


@dataclass(frozen=True)
class ConfigFile:
    """What the settings file holds: raw values by setting name, and accepted findings."""

    origin: str = ""
    values: Mapping[str, str] = field(default_factory=dict)
    ignores: tuple[Ignore, ...] = ()


def read_config_file(
    directory: Path, setting_names: frozenset[str], secret_names: frozenset[str]
) -> ConfigFile:
    """``wa-doctor.toml``, else ``pyproject.toml``'s ``[tool.wa-doctor]``, else nothing."""
    own = directory / FILE_NAME
    if own.is_file():
        table = _load(own)
        if "tool" in table:  # the pyproject.toml form pasted into the doctor's own file
            raise ConfigError(
                f'{FILE_NAME}: settings go at the top level here (`lang = "en"`); '
                "`[tool.wa-doctor]` is the form for pyproject.toml"
            )
        return _parse(table, FILE_NAME, setting_names, secret_names)
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        found: Any = _load(pyproject)
        for key in PYPROJECT_TABLE:
            found = found.get(key, {}) if isinstance(found, dict) else {}
        origin = "pyproject.toml [tool.wa-doctor]"
        if found and not isinstance(found, dict):
            raise ConfigError(f'{origin}: must be a table of settings (`lang = "en"`, …)')
        if found:
            return _parse(found, origin, setting_names, secret_names)
    return ConfigFile()


def _load(path: Path) -> dict[str, Any]:
    import tomllib  # only with a file to read: most runs have none, and it is pure Python

    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot be read as TOML ({exc})") from None


def _parse(
    table: Mapping[str, Any], origin: str, setting_names: frozenset[str], secrets: frozenset[str]
) -> ConfigFile:
    values: dict[str, str] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name == "ignore":
            continue
        if name in secrets:
            raise ConfigError(
                f"{origin}: `{key}` is a secret and the file is committed; set it in the "
                "environment or .env.local instead (and renew it if it was pushed)"
            )
        if name not in setting_names:
            known = ", ".join(sorted((setting_names - secrets) | {"ignore"}))
            raise ConfigError(f"{origin}: unknown setting `{key}` (known: {known})")
        if isinstance(value, dict | list):
            raise ConfigError(f"{origin}: `{key}` must be a single value")
        values[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return ConfigFile(origin, values, _ignores(table.get("ignore", []), origin))


def _ignores(entries: Any, origin: str) -> tuple[Ignore, ...]:
    if not isinstance(entries, list):
        raise ConfigError(f"{origin}: `ignore` must be a list of {{ id, reason, until }} tables")
    ignores = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("reason"):
            raise ConfigError(f"{origin}: every `ignore` entry needs an `id` and a `reason`")
        until = entry.get("until")
        if isinstance(until, datetime):  # `until = 2027-01-31T10:00:00`: the day is meant
            until = until.date()
        if until is not None and not isinstance(until, date):
            raise ConfigError(f"{origin}: `until` of {entry['id']} must be a date (2027-01-31)")
        ignores.append(Ignore(str(entry["id"]), str(entry["reason"]), until))
    return tuple(ignores)


def option_ignores(value: str) -> tuple[Ignore, ...]:
    """``--wa-ignore a.b,c.d``: accepted for this run only."""
    ids = [part.strip() for part in value.split(",") if part.strip()]
    return tuple(Ignore(finding_id, "--wa-ignore") for finding_id in ids)
