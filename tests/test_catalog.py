"""The catalog is complete and its lookups behave as documented."""

import re
from pathlib import Path

import pytest

from wa_doctor import catalog
from wa_doctor.findings import Count, Finding

CATALOG = catalog.load()
PACKAGE = Path(catalog.__file__).parent


@pytest.mark.parametrize("finding_id", CATALOG.ids)
def test_every_finding_has_spanish_and_english_text_and_a_remedy(finding_id):
    assert CATALOG.languages_of(finding_id) == ("es", "en")
    for lang in ("es", "en"):
        remedy = CATALOG.render(Finding(finding_id), lang)
        assert remedy.title and remedy.message
        assert remedy.steps or remedy.procedures, f"{finding_id} has no remedy step in {lang}"
        assert remedy.links, f"{finding_id} has no docs link"


@pytest.mark.parametrize("name", CATALOG.procedure_names())
def test_every_procedure_is_in_both_languages(name):
    assert CATALOG.procedure_languages(name) == ("es", "en")


def test_every_finding_id_the_code_emits_is_in_the_catalog():
    emitted = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text("utf-8")
        emitted |= set(
            re.findall(
                r'"((?:config|db|token|api|graph|phone|template|messaging|'
                r'exposure|waba|webhooks|doctor)\.[a-z_0-9]+)"',
                text,
            )
        )
    assert emitted, "the scan found nothing: the pattern is wrong"
    assert emitted <= set(CATALOG.ids), emitted - set(CATALOG.ids)


def test_graph_errors_map_by_subcode_then_code_then_range():
    assert CATALOG.for_graph_error(190, 467) == "token.session_logged_out"
    assert CATALOG.for_graph_error(190, 463) == "token.expired"
    assert CATALOG.for_graph_error(190, None) == "token.invalid"
    assert CATALOG.for_graph_error(190, 999) == "token.invalid"
    assert CATALOG.for_graph_error(250) == "graph.permission_denied"
    assert CATALOG.for_graph_error(80007) == "graph.rate_limited"
    assert CATALOG.for_graph_error(424242) is None


def test_unfilled_placeholders_stay_visible_instead_of_failing():
    assert catalog.fill("row {row_id} of {table}", {"table": "t"}) == "row {row_id} of t"
    assert catalog.fill("a { stray brace", {}) == "a { stray brace"


def test_sql_remedies_are_narrowed_by_the_context():
    remedy = CATALOG.render(
        Finding("db.empty_token"),
        "en",
        {
            "table": "crm.x",
            "token_col": "access_token",
            "updated_col": "updated_at",
            "row_filter": "id = '3'",
            "row_label": "row 3",
        },
    )
    (update,) = [p for p in remedy.procedures if p.sql and p.sql.startswith("UPDATE")]
    assert "WHERE id = '3';" in update.sql


def test_an_area_file_may_add_to_a_table_but_not_redefine_a_value():
    merged = {"checks": {"es": {"a": "A"}}, "findings": {"x.one": {"severity": "error"}}}

    catalog.merge(merged, {"checks": {"es": {"b": "B"}}}, "phone.toml")
    assert merged["checks"]["es"] == {"a": "A", "b": "B"}
    with pytest.raises(ValueError, match=r"phone\.toml: findings\.x\.one\.severity"):
        catalog.merge(merged, {"findings": {"x.one": {"severity": "warning"}}}, "phone.toml")


def test_every_interface_word_is_in_both_languages():
    spanish, english = (CATALOG.label_keys(lang) for lang in ("es", "en"))
    assert spanish == english, spanish ^ english


def test_english_remedies_hold_no_spanish_placeholder():
    for finding_id in CATALOG.ids:
        remedy = CATALOG.render(Finding(finding_id), "en")
        sql = "".join(p.sql or "" for p in remedy.procedures)
        assert "PEGA_AQUI" not in sql + "".join(remedy.steps), finding_id


@pytest.mark.parametrize(("lang", "shown"), [("es", "2.000"), ("en", "2,000")])
def test_counts_are_written_as_the_language_writes_numbers_and_ids_are_left_alone(lang, shown):
    loaded = catalog.load()
    params = {"tier": "TIER_2K", "limit": Count(2000), "throughput": "STANDARD"}

    message = loaded.render(Finding("phone.messaging_limit", params), lang).message
    row = loaded.render(Finding("db.empty_token", {"row_id": 123456}), lang).message

    assert f" {shown} " in message
    assert "123456" in row


@pytest.mark.parametrize(
    "finding_id", ["token.expired", "token.session_logged_out", "token.temporary"]
)
def test_a_dead_tokens_first_step_is_something_to_do_anywhere_the_crm_runs(finding_id):
    for lang, verbs, below in (
        ("es", ("Genera ", "Pon "), "comando de abajo"),
        ("en", ("Generate ", "Put "), "command below"),
    ):
        first = CATALOG.render(Finding(finding_id), lang).first_step
        assert first.startswith(verbs) and below in first, first
        assert "Vercel" not in first
