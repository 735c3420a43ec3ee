"""Vetting ``--wa-failures-query``, the user's own SQL, before it is sent: it must read, and it
must not call a function that acts even inside a read-only transaction.

This is a first line only. The query is also run as one statement in a read-only session and
transaction (:mod:`.store`), and only by a role without the powers that step out of read-only
(superuser, server programs and files, signalling other sessions): a name can always be
hidden from a text check (a CRM function calling it), a role's powers cannot.
"""

from __future__ import annotations

import re

READING_WORDS = frozenset({"SELECT", "WITH", "VALUES", "TABLE"})

_SIDE_EFFECTS = re.compile(
    r"\b(pg_terminate_backend|pg_cancel_backend|pg_notify|pg_(?:try_)?advisory\w*+"
    r"|pg_reload_conf|pg_rotate_logfile|pg_switch_wal|pg_create_restore_point|pg_promote"
    r"|pg_log_backend_memory_contexts|pg_read_file|pg_read_binary_file|pg_ls_\w++|pg_stat_file"
    r"|pg_stat_reset\w*+|pg_logical_emit_message|(?:query|cursor|table|schema|database)_to_xml\w*+"
    r"|lo_\w++|dblink\w*+"
    r"|set_config|nextval|setval|txid_current|pg_current_xact_id)\"?\s*+\(",
    re.I,
)
"""Functions that act even in a read-only transaction (end or cancel sessions, take locks,
notify, read the server's files, run a query given as text, reach other databases), looked
for once comments are gone: ``name/**/(`` is ``name (``."""


_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]{0,62})?\$")
"""A dollar quote's tag as PostgreSQL reads one (``$$``, ``$body$``, ``$a1$``)."""


def refusal(query: str) -> str | None:
    """Why ``query`` is not sent, or None. Linear in its length."""
    code = without_comments(query)
    first = code.lstrip(" \t\r\n(").split(None, 1)[:1]
    if not first or first[0].upper().rstrip("(") not in READING_WORDS:
        return "only a query that reads is run: it must start with SELECT, WITH, VALUES or TABLE"
    if "u&" in code.lower():
        return "a U& escape can hide any name: write identifiers and strings plainly"
    acting = _SIDE_EFFECTS.search(code)
    if acting:
        return (
            f"the query calls {acting.group(1)}(), which acts beyond reading even in a "
            "read-only transaction (ends or cancels sessions, takes locks, notifies, reads "
            "server files, runs other SQL): the failures query may only read"
        )
    return None


def without_comments(sql: str) -> str:
    """``sql`` with each comment (``-- …`` and ``/* … */``, nested as PostgreSQL nests them)
    turned into a space; strings, quoted names and dollar-quoted bodies kept as they are. One
    pass over the text."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        two = sql[i : i + 2]
        char = sql[i]
        if two == "--":
            end = sql.find("\n", i)
            i = n if end < 0 else end
            out.append(" ")
        elif two == "/*":
            i = _comment_end(sql, i)
            out.append(" ")
        elif char in "'\"":
            end = _quoted_end(sql, i, char)
            out.append(sql[i:end])
            i = end
        elif char == "$" and (tag := _DOLLAR_TAG.match(sql, i)):
            close = sql.find(tag.group(), i + len(tag.group()))
            end = n if close < 0 else close + len(tag.group())
            out.append(sql[i:end])
            i = end
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _comment_end(sql: str, start: int) -> int:
    depth, i = 0, start
    while i < len(sql):
        two = sql[i : i + 2]
        if two == "/*":
            depth, i = depth + 1, i + 2
        elif two == "*/":
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    return len(sql)


def _quoted_end(sql: str, start: int, quote: str) -> int:
    """End of a quoted string or name (a doubled quote is the quote itself; in an ``E''``
    string a backslash escapes the next character)."""
    escapes = quote == "'" and start > 0 and sql[start - 1] in "eE"
    i = start + 1
    while i < len(sql):
        if escapes and sql[i] == "\\":
            i += 2
        elif sql[i] == quote:
            if sql[i + 1 : i + 2] == quote:
                i += 2
            else:
                return i + 1
        else:
            i += 1
    return len(sql)
