"""Webhook changes that are bad news without an ``errors[]``: a WABA scheduled for disable, a
restricted account, a rejected or paused template, a flagged number, a template moved to
another category, a user with no phone number. Each is read into the finding it stands for,
with the asset, the date and the reason Meta gave; which fields say what is data
(:data:`EVENTS`), not code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .redaction import plain_text


@dataclass(frozen=True)
class Event:
    """One kind of bad news: the webhook field, the values of ``event`` it covers, the finding
    it is, and the value fields whose text tells the user what Meta said."""

    field: str
    events: frozenset[str]
    finding_id: str
    said: tuple[str, ...]
    unless: tuple[str, frozenset[str]] = ("", frozenset())
    """A value at a path that makes the change good news (a ban lifted: ``REINSTATE``)."""
    needs: tuple[str, str] = ("", "")
    """A path that must hold a value and one that must not: a message from a user id with no
    phone number (``from_user_id`` without ``from``)."""


EVENTS = (
    Event(
        "account_update",
        frozenset({"DISABLED_UPDATE"}),
        "waba.disable_scheduled",
        ("ban_info.waba_ban_state", "ban_info.waba_ban_date"),
        unless=("ban_info.waba_ban_state", frozenset({"REINSTATE"})),
    ),
    Event(
        "account_update",
        frozenset({"ACCOUNT_RESTRICTION"}),
        "waba.restricted",
        ("restriction_info.restriction_type", "restriction_info.expiration"),
    ),
    Event(
        "account_update",
        frozenset({"ACCOUNT_VIOLATION"}),
        "waba.policy_violation",
        ("violation_info.violation_type",),
    ),
    Event(
        "message_template_status_update",
        frozenset({"REJECTED"}),
        "template.rejected",
        ("message_template_name", "message_template_language", "reason", "rejection_info.reason"),
    ),
    Event(
        "message_template_status_update",
        frozenset({"PAUSED"}),
        "template.paused",
        ("message_template_name", "message_template_language", "other_info.description"),
    ),
    Event(
        "message_template_status_update",
        frozenset({"DISABLED"}),
        "template.disabled",
        ("message_template_name", "message_template_language", "other_info.description"),
    ),
    Event(
        "phone_number_quality_update",
        frozenset({"FLAGGED", "DOWNGRADE"}),
        "phone.flagged",
        ("display_phone_number", "current_limit"),
    ),
    Event(
        "template_category_update",
        frozenset(),  # no event: a new category is the news
        "template.category_changed",
        (
            "message_template_name",
            "message_template_language",
            "previous_category",
            "new_category",
            "correct_category",
            "category_update_timestamp",
        ),
    ),
    Event(
        "messages",
        frozenset(),
        "webhooks.user_without_phone",
        ("messages.from_user_id", "contacts.profile.username"),
        needs=("messages.from_user_id", "messages.from"),
    ),
    Event(
        "messages",
        frozenset(),
        "webhooks.user_without_phone",
        ("statuses.recipient_user_id", "statuses.status"),
        needs=("statuses.recipient_user_id", "statuses.recipient_id"),
    ),
)
"""The webhook changes read as findings. A ``REINSTATE`` or an ``APPROVED`` is good news and
is none of them; ``template_category_update`` is news whatever its ``event``; a message or a
status of a user known only by a business-scoped user id is news for the CRM's code."""

KEPT = 200
"""Characters kept of each value Meta sent (a description is a sentence or two)."""

PARAMS = {"message_template_name": "template", "message_template_language": "language"}
"""Value fields that fill a finding's own placeholders too (its message then says them)."""


KNOWN_FIELDS = frozenset({kind.field for kind in EVENTS})
"""The webhook fields explain knows well enough to call a change of them good news."""
_NAME = re.compile(r"[A-Za-z_]{1,40}")
"""A field or event name as Meta writes them (anything else is not repeated back)."""


def described(change: Mapping[str, Any]) -> str | None:
    """A webhook change that is good news, in a few words (``account_update: DISABLED_UPDATE
    (REINSTATE)``), or None: a field explain does not know, one holding ``errors`` or a
    ``failed`` status it could not read, or a value Node cut short (``[Object]``) may hide a
    problem, and nothing but Meta's own names is repeated back."""
    field, value = change.get("field"), change.get("value")
    if field not in KNOWN_FIELDS or not isinstance(value, Mapping) or _may_hide(value):
        return None
    event = value.get("event", "")
    if not isinstance(event, str) or (event and not _NAME.fullmatch(event)):
        return None  # an event explain cannot name is no good news it can vouch for
    why = [  # what made it good news (a ban lifted: REINSTATE)
        found
        for kind in EVENTS
        if kind.field == field and event in kind.events and kind.unless[0]
        for found in _values(value, kind.unless[0])
        if _NAME.fullmatch(found)
    ]
    said = f"{field}: {event}" if event else str(field)
    return f"{said} ({', '.join(why)})" if why else said


def _may_hide(value: Any, depth: int = 0) -> bool:
    """Whether a change's value holds what could be bad news explain cannot read: errors, a
    failed status, or Node's placeholder for what it did not print."""
    if depth > 16:
        return True
    if isinstance(value, Mapping):  # {} and [] are what Node's [Object] and [Array] became
        if not value or "errors" in value or value.get("status") == "failed":
            return True
        return any(_may_hide(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return not value or any(_may_hide(v, depth + 1) for v in value)
    return False


def read(change: Mapping[str, Any], owner: str | None) -> tuple[str, str, dict[str, str]] | None:
    """``(finding id, what Meta said, params)`` for one ``entry.changes[]`` item, or None when
    it is no bad news. ``owner`` is the entry's id (the WABA's)."""
    field, value = change.get("field"), change.get("value")
    if not isinstance(field, str) or not isinstance(value, Mapping):
        return None
    event = str(value.get("event") or "")
    for kind in EVENTS:
        path, good = kind.unless
        if (
            kind.field == field
            and (not kind.events or event in kind.events)
            and not (path and set(_values(value, path)) & good)
            and _needs_met(value, *kind.needs)
        ):
            break
    else:
        return None
    said = [f"{field} {event}".strip()]
    if owner:
        said.append(f"WABA {owner}")
    params: dict[str, str] = {}
    for path in kind.said:
        for text in _values(value, path):
            said.append(f"{path.rsplit('.', 1)[-1]} {text}")
            if path in PARAMS:
                params.setdefault(PARAMS[path], text)
    return kind.finding_id, " · ".join(said), params


def _needs_met(value: Mapping[str, Any], present: str, absent: str) -> bool:
    """Whether one item of the list both paths start in (``messages``) holds a value at the
    first path and none at the second: in a batch, one message without a number is news
    even when the others have theirs."""
    if not present:
        return True
    top, _, has = present.partition(".")
    lacks = absent.partition(".")[2]
    items = value.get(top)
    items = items if isinstance(items, list) else [items]
    return any(
        isinstance(item, Mapping) and _values(item, has) and not _values(item, lacks)
        for item in items
    )


def _values(value: Mapping[str, Any], path: str) -> list[str]:
    """The plain values at a dotted path; a list on the way (``restriction_info``) gives one
    per item."""
    found: list[Any] = [value]
    for key in path.split("."):
        step: list[Any] = []
        for item in found:
            if isinstance(item, Mapping):
                item = item.get(key)
            step.extend(item if isinstance(item, list) else [item])
        found = step
    return [
        plain_text(str(item))[:KEPT]
        for item in found
        if isinstance(item, str | int | float) and not isinstance(item, bool) and item != ""
    ]
