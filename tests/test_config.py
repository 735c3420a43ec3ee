"""Configuration precedence, sources and usage errors, without running the suite."""

import dataclasses
import re
from datetime import date

import pytest

from wa_doctor.config import load_config
from wa_doctor.doctor import Doctor
from wa_doctor.errors import ConfigError
from wa_doctor.findings import Outcome
from wa_doctor.registry import load_all
from wa_doctor.runner import run_check
from wa_doctor.settings import DEFAULT_API_VERSION, SETTINGS, Settings

CHECKS = load_all()


def write(directory, name, text):
    (directory / name).write_text(text, "utf-8")


def test_option_beats_environment_beats_env_local_beats_env(tmp_path):
    write(tmp_path, ".env", "WHATSAPP_PHONE_NUMBER_ID=from-env-file\nWHATSAPP_API_VERSION=v22.0\n")
    write(tmp_path, ".env.local", "WHATSAPP_PHONE_NUMBER_ID=from-env-local\n")

    files_only = load_config({}, {}, tmp_path)
    environment = load_config({}, {"WHATSAPP_PHONE_NUMBER_ID": "from-environ"}, tmp_path)
    option = load_config(
        {"phone_number_id": "from-option"}, {"WHATSAPP_PHONE_NUMBER_ID": "x"}, tmp_path
    )

    assert files_only.phone_number_id == "from-env-local"
    assert files_only.source("phone_number_id") == ".env.local WHATSAPP_PHONE_NUMBER_ID"
    assert files_only.api_version == "v22.0"
    assert environment.phone_number_id == "from-environ"
    assert environment.source("phone_number_id") == "environment WHATSAPP_PHONE_NUMBER_ID"
    assert option.phone_number_id == "from-option"
    assert option.source("phone_number_id") == "option --wa-phone-number-id"


def test_defaults_when_nothing_is_configured(tmp_path):
    config = load_config({}, {}, tmp_path)
    assert config.access_token is None
    assert config.api_version == DEFAULT_API_VERSION
    assert config.lang == "es"
    assert config.db_table == "crm.marketing_channel_credential"
    assert config.source("access_token") == "default"


def test_a_bad_value_is_a_usage_error_naming_the_option(tmp_path):
    with pytest.raises(ConfigError, match="--wa-lang / WA_DOCTOR_LANG"):
        load_config({"lang": "fr"}, {}, tmp_path)
    with pytest.raises(ConfigError, match="--wa-timeout"):
        load_config({}, {"WA_DOCTOR_TIMEOUT": "soon"}, tmp_path)


def test_a_huge_value_is_refused_without_echoing_it(tmp_path):
    huge = "EAA" + "x" * 10_000
    with pytest.raises(ConfigError) as error:
        load_config({}, {"WHATSAPP_ACCESS_TOKEN": huge}, tmp_path)
    assert "10003 characters" in str(error.value)
    assert "xxxxxxxxxxxx" not in str(error.value)


def test_unreadable_env_files_are_reported_not_fatal(tmp_path):
    (tmp_path / ".env.local").write_bytes(b"WHATSAPP_PHONE_NUMBER_ID=\xff\xfe\n")
    write(tmp_path, ".env", "WHATSAPP_PHONE_NUMBER_ID=123\nthis line is not dotenv\n")

    config = load_config({}, {}, tmp_path)

    assert config.phone_number_id == "123"
    assert any(".env.local: not UTF-8" in p for p in config.env_file_problems)
    assert any(p.startswith(".env:") for p in config.env_file_problems)


def test_secrets_include_the_database_password(tmp_path):
    config = load_config(
        {},
        {"DATABASE_URL": "postgresql://u:pa55word-xyz@h/db", "WHATSAPP_ACCESS_TOKEN": "tok"},
        tmp_path,
    )
    assert "pa55word-xyz" in config.secrets()
    assert "tok" in config.secrets()


def test_every_setting_has_a_distinct_option_and_environment_name():
    assert len({s.option for s in SETTINGS}) == len(SETTINGS)
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)


def test_every_setting_is_in_the_readme_table():
    from conftest import REPO

    readme = (REPO / "README.md").read_text("utf-8")
    for setting in SETTINGS:
        assert f"| `{setting.env}` | `{setting.option}` |" in readme, setting.name


def test_the_settings_file_sits_between_the_environment_and_the_default(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.wa-doctor]\ntemplate = "promo"\nlang = "en"\ntimeout = 12\n'
        'template-language = "es"\n'
    )
    (tmp_path / ".env").write_text("WA_DOCTOR_LANG=es\n")

    config = load_config({"timeout": "20"}, {}, tmp_path)

    assert (config.template, config.template_language) == ("promo", "es")
    assert config.source("template") == "pyproject.toml [tool.wa-doctor] template"
    assert config.lang == "es" and config.source("lang") == ".env WA_DOCTOR_LANG"
    assert config.timeout == 20.0


def test_wa_doctor_toml_wins_over_pyproject_and_refuses_secrets_and_typos(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.wa-doctor]\ntemplate = "from-pyproject"\n')
    (tmp_path / "wa-doctor.toml").write_text('template = "from-own-file"\n')
    assert load_config({}, {}, tmp_path).template == "from-own-file"

    (tmp_path / "wa-doctor.toml").write_text('access_token = "EAAsecret"\n')
    with pytest.raises(ConfigError, match="is a secret and the file is committed"):
        load_config({}, {}, tmp_path)
    (tmp_path / "wa-doctor.toml").write_text('templte = "x"\n')
    with pytest.raises(ConfigError, match="unknown setting `templte`"):
        load_config({}, {}, tmp_path)


def test_settings_file_mistakes_are_usage_errors_that_say_what_to_write(tmp_path):
    own = tmp_path / "wa-doctor.toml"
    own.write_text('[tool.wa-doctor]\nlang = "en"\n')
    with pytest.raises(ConfigError, match=r"top level here.*form for pyproject\.toml"):
        load_config({}, {}, tmp_path)
    own.write_text('templte = "x"\n')
    with pytest.raises(ConfigError) as typo:
        load_config({}, {}, tmp_path)
    assert str(typo.value).count("ignore") == 1
    own.unlink()
    (tmp_path / "pyproject.toml").write_text('[tool]\nwa-doctor = "x"\n')
    with pytest.raises(ConfigError, match=r"\[tool.wa-doctor\]: must be a table"):
        load_config({}, {}, tmp_path)


def test_an_ignore_until_with_a_time_of_day_means_that_day(tmp_path):
    (tmp_path / "wa-doctor.toml").write_text(
        'ignore = [{ id = "phone.quality_low", reason = "agreed", until = 2027-01-31T10:00:00 }]\n'
    )

    (ignore,) = load_config({}, {}, tmp_path).ignores

    assert ignore.until == date(2027, 1, 31)
    assert ignore.active(date(2027, 1, 31)) and not ignore.active(date(2027, 2, 1))


def test_every_settings_example_in_the_readme_loads_in_the_file_it_names(tmp_path):
    from conftest import REPO

    readme = (REPO / "README.md").read_text("utf-8")
    examples = re.findall(r"```toml\n# (\S+)\n(.*?)```", readme, re.S)
    assert {name for name, _ in examples} == {"wa-doctor.toml", "pyproject.toml"}
    for name, text in examples:
        folder = tmp_path / name
        folder.mkdir()
        (folder / name).write_text(text)

        config = load_config({}, {}, folder)

        assert config.template == "promo_octubre" and config.lang == "en", name
        assert [i.finding_id for i in config.ignores] == ["phone.quality_low"], name


def test_accepted_findings_come_from_the_file_and_the_option(tmp_path):
    (tmp_path / "wa-doctor.toml").write_text(
        'ignore = [{ id = "phone.quality_low", reason = "agreed", until = 2099-01-31 },\n'
        '          { id = "api.version_ending", reason = "old", until = 2020-01-01 }]\n'
    )

    config = load_config({"ignore": "token.expiring_soon"}, {}, tmp_path)

    assert [(i.finding_id, i.reason) for i in config.ignores] == [
        ("phone.quality_low", "agreed"),
        ("api.version_ending", "old"),
        ("token.expiring_soon", "--wa-ignore"),
    ]
    assert load_config({"fail_on": "warning"}, {}, tmp_path).fails_on_warnings


def test_an_unreadable_env_file_line_is_a_warning_naming_the_file(tmp_path):
    write(tmp_path, ".env", "WHATSAPP_PHONE_NUMBER_ID=123\nthis line is not dotenv\n")
    doctor = Doctor.create(load_config({"lang": "en"}, {}, tmp_path))

    result = run_check(doctor, CHECKS["env_files_readable"])

    assert [f.id for f in result.findings] == ["config.env_file_invalid"]
    assert result.outcome is Outcome.WARNING
    assert ".env" in result.primary.message


def test_only_a_declared_setting_can_be_replaced(tmp_path):
    config = load_config({}, {}, tmp_path)

    assert config.with_values(timeout=5).timeout == 5
    assert config.with_values(timeout=5).source("timeout") == "simulator"
    with pytest.raises(KeyError, match="simulator_ca"):
        config.with_values(simulator_ca="/tmp/ca.pem")


def test_each_setting_is_a_typed_field_and_arrives_with_its_type(tmp_path):
    environ = {"WA_DOCTOR_TIMEOUT": "12", "WA_DOCTOR_CONCURRENCY": "3", "WA_DOCTOR_STRICT": "yes"}

    config = load_config({"campaign_size": "1000"}, environ, tmp_path)

    assert [s.name for s in SETTINGS] == [f.name for f in dataclasses.fields(Settings)]
    assert (config.timeout, config.concurrency, config.strict) == (12.0, 3, True)
    assert isinstance(config.timeout, float) and config.campaign_size == 1000
    assert config.source("timeout") == "environment WA_DOCTOR_TIMEOUT"
