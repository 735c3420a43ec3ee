"""Configuration, read once per run from every place the user's guides put it.

Precedence, highest first: a ``--wa-…`` command-line option, the process environment,
``.env.local``, ``.env`` (both in the current directory, read with python-dotenv), the settings
file (``wa-doctor.toml`` or ``[tool.wa-doctor]`` in ``pyproject.toml``, :mod:`.config_file`),
the default.
Every value remembers where it came from, because "which token is the CRM really using?" is the
classic question after a renewal, and the report answers it by naming the source, never the value.

The settings themselves, with their types, names and parsers, are :mod:`.settings`; the
``.env`` files are read by :mod:`.env_files`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config_file import ConfigFile, Ignore, read_config_file
from .env_files import read_env_files
from .errors import ConfigError, DoctorError
from .redaction import plain_text, token_preview
from .settings import MAX_VALUE_LENGTH, SETTINGS, SETTINGS_BY_NAME, Setting, Settings, text


@dataclass(frozen=True, repr=False)
class Config(Settings):
    """The resolved configuration of one run: every setting, typed, with where it came from."""

    sources: Mapping[str, str] = field(default_factory=dict)
    env_file_problems: tuple[str, ...] = ()
    directory: Path = field(default_factory=Path.cwd)
    file_ignores: tuple[Ignore, ...] = ()
    """Accepted findings from the settings file (with reasons and end dates)."""
    trusted_ca: Path | None = None
    """A certificate authority the webhook handshake trusts besides the system's: only the
    simulator's, for its own HTTPS endpoint; never a setting a user gives."""

    @property
    def values(self) -> dict[str, object]:
        """Every setting's value by name."""
        return {name: getattr(self, name) for name in SETTINGS_BY_NAME}

    @property
    def ignores(self) -> tuple[Ignore, ...]:
        """Every accepted finding: the settings file's and ``--wa-ignore``'s."""
        return (*self.file_ignores, *self.ignore)

    @property
    def app_folder(self) -> Path:
        """The CRM's folder the file checks search (``--wa-app-dir``, else where the run is)."""
        return Path(self.app_dir) if self.app_dir else self.directory

    @property
    def fails_on_warnings(self) -> bool:
        return self.strict or self.fail_on == "warning"

    def source(self, name: str) -> str:
        return self.sources.get(name, "default")

    def secrets(self) -> list[str]:
        """Every secret of the run, for the redactor: tokens, app secret, the DB password.

        Only the secret part of a value: the database URL's host, port, user and database
        name stay visible, because they are what a ``db.unreachable`` finding asks to check.
        """
        return [
            part
            for s in SETTINGS
            if s.secret and getattr(self, s.name)
            for part in s.secret_parts(str(getattr(self, s.name)))
        ]

    def with_values(self, **changes: object) -> Config:
        """A copy with some settings replaced (the simulator points graph_url at itself)."""
        undeclared = sorted(set(changes) - set(SETTINGS_BY_NAME))
        if undeclared:
            raise KeyError(f"not settings: {undeclared}")
        sources = {**self.sources, **dict.fromkeys(changes, "simulator")}
        return replace(self, **changes, sources=sources)  # type: ignore[arg-type]


def load_config(
    options: Mapping[str, object | None],
    environ: Mapping[str, str],
    directory: Path | None = None,
) -> Config:
    """Resolve every setting; raise :class:`ConfigError` naming the option for a bad value."""
    directory = directory or Path.cwd()
    file_values, file_origins, problems, settings_file = _files(directory)
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for setting in SETTINGS:
        raw, source = _pick(setting, options, environ, file_values, file_origins, settings_file)
        if raw is None or (raw == "" and setting.parse is not text):
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
    return Config(
        **values,  # type: ignore[arg-type]
        sources=sources,
        env_file_problems=tuple(problems),
        directory=directory,
        file_ignores=settings_file.ignores,
    )


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


def configured(name: str, environ: Mapping[str, str], directory: Path | None = None) -> str | None:
    """One setting as the suite reads it (the environment, ``.env.local``, ``.env``,
    ``wa-doctor.toml``), as written; None when it is not set or the files cannot be read: for
    the commands that need only that one (explain's language) and must not fail on the rest."""
    try:
        file_values, file_origins, _, settings_file = _files(directory or Path.cwd())
    except DoctorError:
        return None
    setting = SETTINGS_BY_NAME[name]
    raw, _ = _pick(setting, {}, environ, file_values, file_origins, settings_file)
    return raw if isinstance(raw, str) else None


def _files(directory: Path) -> tuple[dict[str, str], dict[str, str], list[str], ConfigFile]:
    """What ``.env.local``, ``.env`` and ``wa-doctor.toml`` in ``directory`` set."""
    file_values, file_origins, problems = read_env_files(directory)
    settings_file = read_config_file(
        directory,
        frozenset(s.name for s in SETTINGS),
        frozenset(s.name for s in SETTINGS if s.secret),
    )
    return file_values, file_origins, problems, settings_file


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
