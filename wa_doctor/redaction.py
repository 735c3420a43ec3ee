"""Keep secrets inside the process.

Every string that leaves the process (report, JSON, JUnit, terminal, logs, exception text)
passes through one :class:`Redactor`. It knows the run's secrets (access tokens, the database
password, the app secret) and removes:

* any run of token-like characters that shares a 12-character slice with a secret, so a
  truncated or partially echoed token is caught too, not only the whole value;
* ``access_token=`` / ``input_token=`` / ``appsecret_proof=`` / ``hub.verify_token=`` query
  values, because httpx puts full URLs into its error messages;
* the password of any ``scheme://user:password@host`` URL (DSNs in psycopg errors);
* anything shaped like a Meta user/system token (``EAA…``), even one we were never told about.

A token is only ever shown as :func:`token_preview`: a short prefix, ``…`` and its length.

The same choke point makes foreign text plain text (:func:`plain_text`): Meta's messages,
PostgreSQL's errors and database values may hold terminal escape sequences (``ESC[2J`` clears
the screen and can print a fake "ALL CHECKS PASSED") or other control characters.
"""

from __future__ import annotations

import html
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import quote, quote_plus

SLICE = 12
"""Length of the slices compared against secrets: a 12-character match is never chance."""

PREVIEW_PREFIX = 6
"""Characters of a token shown in previews: enough to tell two tokens apart, never enough to use."""

REDACTED = "[redacted]"

SEARCHABLE = 4
"""Shortest secret searched for: a shorter one would match ordinary words and ids."""

MIN_WHOLE = 8
"""Shortest secret matched anywhere; a shorter one only between non-alphanumerics, so that it
does not eat the inside of words."""

SAID_LENGTH = 512
"""Texts up to this long are remembered with what they came out as (see ``Redactor._said``)."""

VERDICTS_KEPT = 20_000
"""At most this many runs remembered (a bound on memory for outputs of any size; the runs that
repeat come back at once after the memory is emptied)."""

_TOKENISH = re.compile(r"[A-Za-z0-9_\-|.~+/=%]{" + str(SLICE) + ",}")
_QUERY_NAMES = (
    "access_token",
    "input_token",
    "appsecret_proof",
    "client_secret",
    "fb_exchange_token",
    "hub.verify_token",
)
_QUERY_SECRET = re.compile(r"(?i)\b(" + "|".join(map(re.escape, _QUERY_NAMES)) + r")=[^&\s\"'<>]*")
_URL_END = re.compile(r"[\s\"'<>`]")
"""Where a URL written in text ends, for a person: a space or a quote."""
META_TOKEN = re.compile(r"EAA(?<!\wEAA)[A-Za-z0-9]{20,}")
"""``\bEAA…`` written so that the pattern starts with its literal: the regex engine then jumps
from one ``EAA`` to the next instead of trying every position (50 times faster on a large
report)."""
_BEARER = re.compile(r"(?i)\b(Bearer\s+)[A-Za-z0-9_\-|.~+/=]{8,}")
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]"
)
"""CSI (``ESC[…m``), OSC (``ESC]…BEL``, window titles, links) and two-character escapes."""
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""Control characters but tab and newline, the bidi overrides that reorder text, and lone
surrogates (JSON's ``"\\ud800"`` decodes to one, and no file can hold it as UTF-8)."""


def _password_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where the passwords of ``scheme://user:password@host`` URLs are in ``text``, read as a
    person reads them: the user info runs from ``://`` to the last ``@`` before the URL ends
    (a raw ``%``, ``/`` or ``@`` in a password is still the password, though libpq would refuse
    it). One pass over the text: no URL is looked at twice, so time is linear in its length."""
    start = 0
    while (mark := text.find("://", start)) >= 0:
        begin = mark + 3
        ends = _URL_END.search(text, begin)
        end = ends.start() if ends else len(text)
        at = text.rfind("@", begin, end)
        colon = text.find(":", begin, at) if at > 0 else -1
        if 0 <= colon < at - 1:
            yield colon + 1, at
        start = max(end, begin)


def _without_url_passwords(text: str) -> str:
    pieces, last = [], 0
    for begin, end in _password_spans(text):
        pieces += [text[last:begin], REDACTED]
        last = end
    return "".join(pieces) + text[last:] if pieces else text


def one_line(text: str) -> str:
    """``text`` on one line that cannot be a GitHub Actions workflow command: foreign text
    (Meta's messages, a tenant's display name, a row id) must never start a line with
    ``::error::…`` or ``::stop-commands::`` (the runner reads them after leading spaces too),
    so line breaks become spaces and a leading ``::`` is split. The catalog's own texts hold no
    line breaks."""
    return no_workflow_command(" ".join(text.split()))


def no_workflow_command(text: str) -> str:
    """``text`` as GitHub's runner can never obey it: each line that would start with ``::``
    after any whitespace (the runner trims every kind) has it split as ``: :``; the older
    ``##[command]`` form, which the runner finds anywhere in a line, becomes ``# #[``; and a
    carriage return, at which the runner also splits lines, becomes a space."""

    def split(line: str) -> str:
        rest = line.lstrip()
        return line[: len(line) - len(rest)] + ": :" + rest[2:] if rest.startswith("::") else line

    text = text.replace("\r", " ").replace("##[", "# #[")
    return "\n".join(split(line) for line in text.split("\n"))


def plain_text(text: str) -> str:
    """``text`` without escape sequences and control characters (tab and newline kept)."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def token_preview(token: str | None) -> str:
    """Show a token the way every output of this tool does: ``EAAGm0…(212)``, a prefix and
    the length, in no language's words (reports are in Spanish or English)."""
    if token is None:
        return "—"
    shown = min(PREVIEW_PREFIX, len(token) // 4)  # a short secret keeps almost all of itself
    return f"{token[:shown]}…({len(token)})"


class Redactor:
    """Scrubs known secrets and secret-shaped text from strings.

    Thread-safe: secrets can be added while the Graph client is working in other threads.
    """

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._slices: set[int] = set()
        """The hash of every ``SLICE``-character slice of every secret (but those still in
        ``_unsliced``): a thousand tokens make two hundred thousand slices, and their hashes
        take half the memory."""
        self._unsliced: list[str] = []
        """Secrets added whose slices are not hashed yet: that is done when a text is first
        searched for them, not as the credentials are read (at a thousand tokens, 0.1 s that
        stood before the first request)."""
        self._whole: set[str] = set()
        self._short: set[str] = set()
        """Secrets under :data:`MIN_WHOLE` characters (a webhook's verify token, say)."""
        self._finder: _SecretFinder | None = None
        """Finds every whole secret (built when first needed)."""
        self._said: dict[str, str] = {}
        """Each short text with what it came out as: report.json redacts every string of every
        record, and a thousand credentials repeat the same keys, ids, outcomes and sentences
        tens of thousands of times (a third of such a run's CPU went there). Emptied whenever
        a secret is added, so nothing said before it can come back."""
        self._verdicts: dict[str, bool] = {}
        """Whether a token-like run shares a slice with a secret, by run: a large report
        repeats a few hundred runs (ids, file names) tens of thousands of times."""
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Register a secret, in every form it travels in: as given, trimmed, unquoted,
        percent-encoded (a URL's query), JSON-escaped and HTML-escaped. A secret shorter than
        :data:`SEARCHABLE` cannot be told from ordinary text and is not searched for (where it
        may come back, nothing is shown: see ``handshake.may_hold``); one shorter than 8
        characters is matched whole, between non-alphanumerics, so that it does not eat the
        inside of words."""
        if not secret or len(secret.strip()) < SEARCHABLE:
            return
        with self._lock:
            self._finder = None
            self._verdicts.clear()
            self._said.clear()
            for variant in _forms(secret):
                if len(variant) < MIN_WHOLE:
                    self._short.add(variant)
                    continue
                self._whole.add(variant)
                self._unsliced.append(variant)

    def _touches_secret(self, run: str) -> bool:
        while self._unsliced:
            variant = self._unsliced.pop()
            slices = [variant[i : i + SLICE] for i in range(len(variant) - SLICE + 1)]
            self._slices.update(map(hash, slices))  # a third faster than one by one
        verdict = self._verdicts.get(run)
        if verdict is None:
            slices = self._slices
            windows = range(len(run) - SLICE + 1)
            verdict = any(hash(run[i : i + SLICE]) in slices for i in windows)
            if len(self._verdicts) >= VERDICTS_KEPT:
                self._verdicts.clear()
            self._verdicts[run] = verdict
        return verdict

    def __call__(self, text: object) -> str:
        """Return ``text`` as a string with every secret removed."""
        given = text if isinstance(text, str) else str(text)
        said = self._said.get(given)
        if said is not None:
            return said
        with self._lock:
            secrets_then = (len(self._whole), len(self._short))
        said = self._scrubbed(given)
        if len(given) <= SAID_LENGTH:
            with self._lock:  # kept only if no secret came meanwhile
                if secrets_then == (len(self._whole), len(self._short)):
                    if len(self._said) >= VERDICTS_KEPT:
                        self._said.clear()
                    self._said[given] = said
        return said

    def _scrubbed(self, out: str) -> str:
        if not out:
            return out
        # Secrets by their place first (a URL's password, a query's token), so that the
        # known-secret pass below cannot turn them into previews the place patterns miss.
        # Each pattern only where its fixed part occurs: a plain substring test is a hundred
        # times cheaper than the pattern on the megabytes of a large run's JSON report.
        lowered = out.lower()
        if any(f"{name}=" in lowered for name in _QUERY_NAMES):
            out = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}={REDACTED}", out)
        if "://" in out and "@" in out:
            out = _without_url_passwords(out)
        if "bearer" in lowered:
            out = _BEARER.sub(lambda m: f"{m.group(1)}{REDACTED}", out)
        with self._lock:
            if self._whole or self._short:
                if self._finder is None:
                    self._finder = _SecretFinder(self._whole, self._short)
                out = self._finder.sub(lambda secret: token_preview(secret.strip()), out)
            if self._slices or self._unsliced:
                out = _TOKENISH.sub(
                    lambda m: REDACTED if self._touches_secret(m.group(0)) else m.group(0), out
                )
        if "EAA" in out:
            out = META_TOKEN.sub(lambda m: token_preview(m.group(0)), out)
        return plain_text(out)


def _forms(secret: str) -> set[str]:
    """The forms a secret travels in (see :meth:`Redactor.add`)."""
    plain = {secret, secret.strip(), secret.strip().strip("'\"")}
    encoded = {
        form
        for value in plain
        for form in (
            quote(value, safe=""),
            quote_plus(value, safe=""),
            json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1],
            html.escape(value),
        )
    }
    return {form for form in plain | encoded if form.strip()}


class _SecretFinder:
    """Finds secrets as one alternation of them all would, longest first, with the short ones
    only between non-alphanumerics, without compiling that alternation: for a thousand tokens
    it took 0.3 s, on the first text redacted after the last secret was added (the first
    request's). A pattern of every whole secret's first :data:`MIN_WHOLE` characters finds
    where one may start (a tenth of the pattern); there, the secrets starting so are compared
    whole, longest first, and then the short ones."""

    def __init__(self, whole: set[str], short: set[str]) -> None:
        self._by_start: dict[str, list[str]] = {}
        for secret in sorted(whole, key=len, reverse=True):
            self._by_start.setdefault(secret[:MIN_WHOLE], []).append(secret)
        shorts = [
            rf"(?<![A-Za-z0-9]){re.escape(s)}(?![A-Za-z0-9])"
            for s in sorted(short, key=len, reverse=True)
        ]
        self._short = re.compile("|".join(shorts)) if shorts else None
        starts = [*map(re.escape, self._by_start), *shorts]
        self._starts = re.compile("|".join(starts)) if starts else None

    def sub(self, replace: Callable[[str], str], text: str) -> str:
        """``text`` with every secret found replaced by ``replace(secret)``, left to right."""
        if self._starts is None:
            return text
        out: list[str] = []
        kept = scan = 0
        while (candidate := self._starts.search(text, scan)) is not None:
            start = candidate.start()
            found = self._at(text, start)
            if found is None:  # a secret's first characters, not the secret: look further on
                scan = start + 1
                continue
            out += [text[kept:start], replace(found)]
            kept = scan = start + len(found)
        return "".join(out) + text[kept:] if out else text

    def _at(self, text: str, start: int) -> str | None:
        """The secret the alternation would match at ``start``: the longest whole one, else the
        longest short one between non-alphanumerics."""
        for secret in self._by_start.get(text[start : start + MIN_WHOLE], ()):
            if text.startswith(secret, start):
                return secret
        short = self._short.match(text, start) if self._short is not None else None
        return short.group(0) if short else None


class RedactingLogRecordFactory:
    """A logging record factory that redacts every record when it is created.

    Handler filters only see records of their own handler, and logger filters are skipped for
    records propagated from child loggers (httpx, psycopg). Redacting at creation time covers
    pytest's captured logs, live logs and any handler a user adds.
    """

    def __init__(self, redactor: Redactor, previous=None) -> None:
        self.redactor = redactor
        self.previous = previous or logging.getLogRecordFactory()

    def __call__(self, *args, **kwargs) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not break the run
            message = str(record.msg)
        record.msg = self.redactor(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redactor(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return record

    def install(self) -> None:
        logging.setLogRecordFactory(self)

    def uninstall(self) -> None:
        if logging.getLogRecordFactory() is self:
            logging.setLogRecordFactory(self.previous)
