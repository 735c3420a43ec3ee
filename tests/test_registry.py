"""A check is declared once, and everything else is derived from that declaration: its test in
``diagnostics/``, its catalog entries, the scenario that shows it, its README row."""

from __future__ import annotations

import importlib
import textwrap
import tomllib
from pathlib import Path

import pytest

from conftest import REPO, fake_token
from wa_doctor import catalog, registry
from wa_doctor.checks import prerequisites
from wa_doctor.config import load_config
from wa_doctor.doctor import Doctor
from wa_doctor.prefetch import plan
from wa_doctor.pytest_checks import diagnosed
from wa_doctor.runner import run_check
from wa_doctor.simulator import SCENARIOS, scenarios

CHECKS = registry.load_all()
CATALOG = catalog.load()
AREA_FILES = {
    path.stem: tomllib.loads(path.read_text("utf-8"))
    for path in (Path(catalog.__file__).parent / catalog.AREAS).glob("*.toml")
}
RAISED = sorted({(finding_id, c.area) for c in CHECKS.values() for finding_id in c.raises})
CONFIGURED = {
    "WHATSAPP_ACCESS_TOKEN": fake_token(),
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_GRAPH_URL": "http://127.0.0.1:9",
}
"""A credential whose Graph API is nowhere: what these tests read must not need one."""
SHARED = ("graph.", "doctor.")
"""Findings the runner gives whichever check read the answer: they live in the shared file."""


def test_every_check_has_exactly_one_test_named_after_it():
    tests = diagnosed()

    assert [declared.name for _, declared in tests] == [
        name.removeprefix("test_") for name, _ in tests
    ]
    assert sorted(d.name for _, d in tests) == sorted(CHECKS), "a check without a test, or two"


def test_whether_a_check_runs_per_credential_comes_from_its_signature():
    assert CHECKS["token_valid"].per_credential
    assert not CHECKS["api_version_supported"].per_credential
    assert {c.per_credential for c in CHECKS.values()} == {True, False}


def test_a_check_name_declared_twice_is_refused():
    def token_valid(doctor):
        return []

    with pytest.raises(ValueError, match="token_valid"):
        registry.check(raises=[])(token_valid)
    assert CHECKS["token_valid"].function is not token_valid


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_check_has_a_title_in_both_languages_in_its_area_file(name):
    area = AREA_FILES[CHECKS[name].area]
    for lang in ("es", "en"):
        assert name in area["checks"][lang], (lang, f"{CHECKS[name].area}.toml")


@pytest.mark.parametrize(("finding_id", "area"), RAISED, ids=[f for f, _ in RAISED])
def test_every_finding_a_check_raises_is_in_the_catalog_beside_it(finding_id, area):
    assert finding_id in CATALOG.ids
    if finding_id.startswith(SHARED):
        return
    raising = {c.area for c in CHECKS.values() if finding_id in c.raises}
    holding = {a for a, data in AREA_FILES.items() if finding_id in data.get("findings", {})}
    assert holding and holding <= raising, (finding_id, holding, raising)


@pytest.mark.parametrize("area", sorted(AREA_FILES))
def test_an_area_file_holds_only_what_its_checks_raise(area):
    raised = {f for c in CHECKS.values() if c.area == area for f in c.raises}
    titled = {n for lang in ("es", "en") for n in AREA_FILES[area]["checks"][lang]}
    assert set(AREA_FILES[area].get("findings", {})) <= raised
    assert titled <= {c.name for c in CHECKS.values() if c.area == area}


@pytest.mark.parametrize(("finding_id", "area"), RAISED, ids=[f for f, _ in RAISED])
def test_every_finding_a_check_raises_is_shown_by_a_scenario_and_in_the_readme(finding_id, area):
    """A simulator scenario shows it, or (for what lives in the database, the environment or
    the CRM's files, which the simulator does not model) a test of this project does."""
    shown = {s.finding for s in SCENARIOS.values()}
    tested = "".join(p.read_text("utf-8") for p in (REPO / "tests").glob("test_*.py"))
    assert finding_id in shown or f'"{finding_id}"' in tested, finding_id
    assert f"`{finding_id}`" in (REPO / "README.md").read_text("utf-8"), finding_id


def test_the_readme_shows_a_check_as_it_is_written():
    from wa_doctor.checks import phone

    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("## Adding a check") :]
    example = section[section.index("```python\n") + 10 : section.index("```\n")]
    source = Path(phone.__file__).read_text("utf-8")

    assert textwrap.dedent(example) in source
    assert "@check(" in example


def test_what_a_prerequisite_builds_on_is_its_parameters():
    assert prerequisites.phone_number.after == (
        prerequisites.granted_token,
        prerequisites.waba_overview,
    )
    assert prerequisites.token_info in prerequisites.phone_number.closure


def test_the_prefetch_plan_is_the_requests_a_check_builds_on_stage_by_stage(tmp_path):
    doctor = Doctor.create(load_config({}, CONFIGURED, tmp_path))

    (stages,) = plan([(CHECKS["phone_number_in_waba"], doctor.credentials[0])])

    assert [[read.name for read in stage] for stage in stages] == [
        ["token_info"],
        ["waba_overview"],
        ["phone_number", "waba_phones"],
    ]


def test_a_prerequisite_naming_no_prerequisite_is_refused():
    def phone_twin(doctor, credential, phone_numbr):
        return {}

    with pytest.raises(TypeError, match="phone_numbr"):
        registry.prerequisite()(phone_twin)
    assert "phone_twin" not in registry.PREREQUISITES


def test_a_check_reading_what_it_did_not_declare_is_stopped_as_a_bug(tmp_path):
    def token_age(doctor, credential):
        return [prerequisites.token_info(doctor, credential)]

    undeclared = registry.Check("token_age", "token", token_age, (), (), "", True)
    doctor = Doctor.create(load_config({"lang": "en"}, CONFIGURED, tmp_path))

    result = run_check(doctor, undeclared, doctor.credentials[0])

    (found,) = result.findings
    assert found.id == "doctor.internal_error"
    assert "token_info is read without being declared" in found.params["detail"]


@pytest.mark.parametrize("area", [a for a in scenarios.AREAS if a != "graph"])
def test_an_areas_scenarios_show_what_its_checks_raise(area):
    """Scenarios live by area, beside what they serve; ``graph`` holds Meta's own faults."""
    module = importlib.import_module(f"{scenarios.__name__}.{area}")
    raised = {f for c in CHECKS.values() if c.area == area for f in c.raises}

    for name, scenario in module.SCENARIOS.items():
        assert scenario.finding is None or scenario.finding in raised, (area, name)
