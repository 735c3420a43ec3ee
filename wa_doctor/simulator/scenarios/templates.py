"""Scenarios of the campaign template (reference 4.4)."""

from __future__ import annotations

from functools import partial

from ..world import World
from .base import Scenario, main_token


def _templates(world: World, now: int, **changes: object) -> None:
    waba = world.wabas[world.waba_id]
    if changes.get("remove"):
        waba.templates.clear()
    for template in waba.templates:
        for name, value in changes.items():
            if name != "remove":
                setattr(template, name, value)


def _template_body(text: str, world: World, now: int) -> None:
    for template in world.wabas[world.waba_id].templates:
        template.components = [{"type": "BODY", "text": text}]


def _media_header(world: World, now: int) -> None:
    for template in world.wabas[world.waba_id].templates:
        template.components = [
            {"type": "HEADER", "format": "IMAGE"},
            {"type": "BODY", "text": "Hola {{1}}, mira nuestra oferta."},
        ]


def _waba_unknown(world: World, now: int) -> None:
    world.waba_configured = False
    main_token(world).target_ids = None  # a portfolio-wide grant names no WABA


SCENARIOS: dict[str, Scenario] = {
    "template-missing": Scenario(
        "The WABA has no hello_world template.",
        "template.missing",
        partial(_templates, remove=True),
    ),
    "template-language-missing": Scenario(
        "hello_world exists in 'en' only, the CRM asks en_US.",
        "template.language_missing",
        partial(_templates, language="en"),
    ),
    "template-pending": Scenario(
        "hello_world is still PENDING review.",
        "template.not_approved",
        partial(_templates, status="PENDING"),
    ),
    "template-rejected": Scenario(
        "Meta rejected hello_world (rejected_reason INVALID_FORMAT).",
        "template.rejected",
        partial(_templates, status="REJECTED", rejected_reason="INVALID_FORMAT"),
    ),
    "template-category-changed": Scenario(
        "Meta moved hello_world from UTILITY to MARKETING (previous_category).",
        "template.category_changed",
        partial(_templates, category="MARKETING", previous_category="UTILITY"),
    ),
    "template-paused": Scenario(
        "hello_world is PAUSED for low quality.",
        "template.paused",
        partial(_templates, status="PAUSED"),
    ),
    "template-disabled": Scenario(
        "hello_world is DISABLED.", "template.disabled", partial(_templates, status="DISABLED")
    ),
    "template-params-mismatch": Scenario(
        "The template's body has two parameters; the CRM sends one (--wa-template-params 1).",
        "template.params_mismatch",
        partial(_template_body, "Hola {{1}}, tu pedido {{2}} está listo."),
        {"template_params": "1"},
    ),
    "template-media-header": Scenario(
        "The template has an image header and one body parameter: each send needs both.",
        "template.shape",
        _media_header,
    ),
    "marketing-to-us": Scenario(
        "A MARKETING template sent to a +1 number: Meta pauses marketing to US numbers (131049).",
        "template.marketing_us_pause",
        lambda world, now: None,
        {"send_to": "+15550001111"},
    ),
    "waba-unknown": Scenario(
        "No WHATSAPP_BUSINESS_ACCOUNT_ID and a portfolio-wide token: the template goes unchecked.",
        "template.waba_unknown",
        _waba_unknown,
    ),
}
