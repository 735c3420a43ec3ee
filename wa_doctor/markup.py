"""The little markup the catalog's texts use, as HTML: `code` and bare URLs.

Remedy steps are written for a terminal too, so they stay plain text with backticks around
commands and names; in the HTML report those become ``<code>`` and URLs become links. Every
piece of text is escaped first: Meta's and PostgreSQL's words pass through here too.
"""

from __future__ import annotations

import re
from html import escape

_CODE = re.compile(r"`([^`\n]+)`")
_URL = re.compile(r"https?://[^\s<>()«»\"'`]+")
_TRAILING = ".,;:!?)»"


def inline(text: str, unbroken: str | None = None) -> str:
    """``text`` as escaped HTML with `code` spans and links; ``unbroken`` (a credential's
    label) kept on one line wherever the prose names it (a label cut after ``db2-`` is misread)."""
    parts = _CODE.split(text)
    return "".join(
        f"<code>{escape(part)}</code>" if odd else _links(part, unbroken)
        for odd, part in ((n % 2 == 1, p) for n, p in enumerate(parts))
    )


def _links(text: str, unbroken: str | None) -> str:
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        out.append(_prose(text[last : match.start()], unbroken))
        out.append(f'<a href="{escape(url)}" rel="noreferrer">{escape(url)}</a>')
        last = end
    out.append(_prose(text[last:], unbroken))
    return "".join(out)


def _prose(text: str, unbroken: str | None) -> str:
    shown = escape(text)
    if not unbroken:
        return shown
    name = escape(unbroken)
    return shown.replace(name, f"<span class='wa-id'>{name}</span>")
