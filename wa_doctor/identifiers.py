"""Meta ids (phone number, WABA, app) are digits, checked before they go anywhere near a URL.

An id is a path segment of a Graph request made with the Bearer token: a phone number id of
``../../v25.0/me/feed?message=hi&`` would make the doctor call another endpoint with the user's
token. So an id is used only when it is all digits, and what it looks like instead is said in the
user's words (the visible phone number, a token, a URL), because those are the usual paste
mistakes. The raw value is never shown: it may be a token pasted into the wrong field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_ID_DIGITS = 25
"""Meta's ids are 15-17 digits today; more than this is not an id."""

_ID = rf"[0-9]{{1,{MAX_ID_DIGITS}}}"
_DIGITS = re.compile(_ID)
_PATH = re.compile(rf"(?:{_ID}|[a-z_]+)(?:/[a-z_]+)?")
_PHONE = re.compile(r"\+?[0-9][0-9 ().\-]{5,}")
_TOKENISH = re.compile(r"[A-Za-z0-9_\-|.~+/=%]{40,}")

LOOKS_LIKE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("id_url", re.compile(r"[/?#:&]")),
    ("id_token", re.compile(r"^(?:EAA|" + _TOKENISH.pattern + ")")),
    ("id_phone_number", _PHONE),
)
"""What a value that is not digits usually is, checked in this order (catalog terms)."""


@dataclass(frozen=True)
class MetaId:
    """A configured id: the digits to use (None when unusable) and what is wrong with it."""

    usable: str | None
    problems: tuple[str, ...] = ()
    given: bool = field(default=False)
    """A value was configured (an empty one counts as not given)."""

    @property
    def malformed(self) -> bool:
        return bool(self.problems)


def meta_id(raw: object) -> MetaId:
    """Check one configured id; surrounding whitespace is trimmed but still a problem, since
    the CRM sends the value as stored."""
    if raw is None or not str(raw).strip():
        return MetaId(None)
    text = str(raw)
    stripped = text.strip()
    padded = ["id_whitespace"] if stripped != text else []
    if _DIGITS.fullmatch(stripped):
        return MetaId(stripped, tuple(padded), given=True)
    kind = next((term for term, pattern in LOOKS_LIKE if pattern.search(stripped)), None)
    return MetaId(None, (*padded, kind or "id_not_digits"), given=True)


def is_graph_path(path: str) -> bool:
    """A Graph path built only from digit ids and edge names (``123/phone_numbers``,
    ``debug_token``): the client refuses anything else, whatever built it."""
    return bool(_PATH.fullmatch(path))
