"""Objects as Node.js prints them (``console.log``, ``util.inspect``), read as JSON.

A CRM on Node logs Meta's error body with ``console.log(error.response.data)``: keys without
quotes, strings in single quotes, ``[Object]`` where it stopped descending, on many lines::

    { error: { message: '(#131030) Recipient …', code: 131030, fbtrace_id: 'Ab…' } }

That is no JSON, so its details and trace id were lost to a line-by-line reading. One pass of
one pattern (linear in the text) turns it into JSON: each string re-quoted, each bare key
quoted, ``undefined`` and Node's placeholders made values; the rest is left as it is. A
fragment pasted without its first brace gets it back (:func:`balanced`).
"""

from __future__ import annotations

import json
import re

_TOKEN = re.compile(
    r"'(?P<single>(?:[^'\\\n]|\\.)*+)'"
    r'|(?P<double>"(?:[^"\\\n]|\\.)*+")'
    r"""|(?P<open>'(?:[^'\\\n]|\\.)*+\\?|"(?:[^"\\\n]|\\.)*+\\?)"""
    r"|(?<![\w$])(?P<key>[A-Za-z_$][\w$]*+)(?=\s*+:)"
    r"|(?P<placeholder>\[(?:Object|Array)\]|\bundefined\b)"
)
_ESCAPE = re.compile(r"\\(.)")
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r"}
_PLACEHOLDERS = {"[Object]": "{}", "[Array]": "[]", "undefined": "null"}

_LOOKS_LIKE = re.compile(r"[{,]\s*+[A-Za-z_$][\w$]*+: ")
"""A bare key after a brace or a comma: what only a printed object (not JSON) has."""


def printed(text: str) -> bool:
    """Whether ``text`` may hold an object as Node prints it."""
    return _LOOKS_LIKE.search(text) is not None


def as_json(text: str) -> str:
    """``text`` with every printed object in it turned into JSON (other text unchanged)."""
    return _TOKEN.sub(_json_token, text)


_BRACES = re.compile(r'"(?:[^"\\\n]|\\.)*+"?|[{}]')


def balanced(text: str) -> str:
    """JSON text with the braces a pasted fragment lost put back: a user pastes the object
    from its first key on (``message: '…', … }``), so its opening brace is missing."""
    depth = lowest = 0
    for match in _BRACES.finditer(text):
        brace = match.group()
        if brace in "{}":
            depth += 1 if brace == "{" else -1
            lowest = min(lowest, depth)
    return "{" * -lowest + text + "}" * (depth - lowest)


def _json_token(match: re.Match[str]) -> str:
    if match.group("single") is not None:
        value = _ESCAPE.sub(lambda m: _ESCAPED.get(m.group(1), m.group(1)), match.group("single"))
        return json.dumps(value, ensure_ascii=False)
    if match.group("double") is not None:
        return match.group("double")
    if match.group("open") is not None:  # a quote never closed on its line: left as it is,
        return match.group("open")  # in one piece (trying each of its quotes was quadratic)
    if match.group("key") is not None:
        return json.dumps(match.group("key"))
    return _PLACEHOLDERS[match.group("placeholder")]
