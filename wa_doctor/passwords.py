"""The password a database URL or libpq key=value string holds, in every form it is written:
what the redactor must find wherever a message might quote it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, quote, unquote


def dsn_passwords(url: str) -> list[str]:
    """The database password in every form the value holds it, found every way it can be read:
    as a person reads a URL (``scheme://user:password@host``: everything to the last ``@``,
    a raw ``%``, space, quote or ``@`` in it and all), a URL's ``?password=``, a key=value
    string's ``password=…`` (quoted, with backslash escapes, or not), and as libpq parses it.
    Each as written and decoded: what a message might quote."""
    found: set[str] = set()
    password = url_password(url)
    if password is not None:
        found |= {password, unquote(password)}
        for key, value in parse_qsl(url.partition("?")[2], keep_blank_values=True):
            if key == "password":
                found |= {value, quote(value, safe="")}
    found |= set(_keyword_passwords(url))
    if password is None:  # a key=value string: libpq's own reading too (a URL's is the above)
        try:
            from psycopg.conninfo import conninfo_to_dict  # only now: 0.2 s before any request

            found.add(str(conninfo_to_dict(url).get("password") or ""))
        except Exception:  # unparsable: its words are never quoted (store.py)
            pass
    return sorted(p for p in found if p)


def url_password(url: str) -> str | None:
    """The password of a ``scheme://user:password@host…`` URL as a person reads it: the user
    info runs to the last ``@``; None when the value is no such URL."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme.replace("+", "").isalnum():
        return None
    return rest.rpartition("@")[0].partition(":")[2]


def _keyword_passwords(dsn: str) -> Iterator[str]:
    """``password=…`` values of a key=value string, as written and unescaped."""
    start = 0
    while (key := dsn.find("password", start)) >= 0:
        start = key + len("password")
        rest = dsn[start:].lstrip()
        if not rest.startswith("="):
            continue
        value = rest[1:].lstrip()
        if value.startswith("'"):
            written, i = [], 1
            while i < len(value) and value[i] != "'":
                written.append(value[i : i + 2] if value[i] == "\\" else value[i])
                i += 2 if value[i] == "\\" else 1
            raw = "".join(written)
            yield raw
            yield re.sub(r"\\(.)", r"\1", raw)
        else:
            yield (value.split(None, 1) or [""])[0]
