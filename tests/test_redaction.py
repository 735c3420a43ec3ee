"""The redaction layer removes secrets in every shape they leave a process."""

import logging
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import fake_token, growth
from wa_doctor.redaction import (
    MIN_WHOLE,
    RedactingLogRecordFactory,
    Redactor,
    _SecretFinder,
    token_preview,
)


def test_a_token_is_shown_only_as_prefix_and_length():
    token = fake_token()
    assert token_preview(token) == f"{token[:6]}…(200)"
    assert token_preview(None) == "—"
    assert token_preview("") == "…(0)"


def test_the_whole_token_and_any_twelve_character_slice_are_removed():
    token = fake_token()
    redact = Redactor([token])

    assert token not in redact(f"token={token}!")
    echoed_part = token[50:75]
    assert echoed_part not in redact(f"Meta said: bad token '{echoed_part}'")
    assert redact("an ordinary sentence stays as it is") == "an ordinary sentence stays as it is"


def test_padded_and_quoted_variants_of_a_secret_are_removed():
    token = fake_token()
    redact = Redactor([f'  "{token}"\n'])
    assert token[:40] not in redact(f"value {token} here")


def test_query_string_tokens_in_urls_are_removed_even_when_unknown():
    redact = Redactor()
    url = (
        "https://graph.facebook.com/v25.0/debug_token?input_token=abcdefghijklmnop&access_token=qrs"
    )
    cleaned = redact(f"Client error for url '{url}'")
    assert "abcdefghijklmnop" not in cleaned and "qrs" not in cleaned
    assert "input_token=[redacted]" in cleaned


def test_dsn_passwords_and_bearer_headers_are_removed():
    redact = Redactor()
    cleaned = redact("postgresql://crm:hunter2hunter2@db.example:5432/crm Bearer abcdefgh12345")
    assert "hunter2" not in cleaned and "abcdefgh12345" not in cleaned
    assert "db.example:5432" in cleaned


def test_meta_shaped_tokens_are_removed_even_when_never_registered():
    stray = "EAA" + "x1" * 40
    assert stray not in Redactor()(f"found {stray}")


def test_log_records_are_redacted_when_created(caplog):
    token = fake_token()
    factory = RedactingLogRecordFactory(Redactor([token]))
    factory.install()
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("httpx").info("GET %s", f"/debug_token?input_token={token}")
    finally:
        factory.uninstall()
    assert token[:20] not in caplog.text
    assert "input_token" in caplog.text


def test_a_secret_learnt_later_is_removed_from_text_already_seen_clean():
    password = "s3cretDatabasePassw0rd"
    echoed = f"connecting with {password[:15]}"  # a part of it: only the slices can tell
    redact = Redactor([fake_token()])
    assert redact(echoed) == echoed

    redact.add(password)

    assert password[:12] not in redact(echoed)


def test_a_meta_token_is_previewed_only_where_a_token_can_start():
    token = fake_token("EAAG")
    redact = Redactor()

    assert redact(f"({token})") == f"({token_preview(token)})"
    glued = f"x{token[:40]}"  # no word boundary before EAA: not a token of its own
    assert redact(glued) == glued


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "a." * (4 * n) + " ://x @",
        lambda n: "://" * (3 * n) + "@",
        lambda n: "postgresql://u:" + "p" * (8 * n) + "@" * n,
    ],
    ids=["scheme-like dots", "many schemes", "long user info"],
)
def test_redaction_takes_time_linear_in_the_text(make):
    redact = Redactor(["a-secret-of-some-length"])

    assert growth(redact, make) < 32


def test_a_text_said_before_a_secret_was_known_is_redacted_once_it_is():
    secret = "EAAB" + "x7" * 20
    text = f"token {secret[4:]} in a log line"
    redact = Redactor()
    assert redact(text) == text, "not yet known: no token shape (EAA cut off)"

    redact.add(secret[4:])

    assert secret[4:] not in redact(text)
    assert redact(text) == redact(text)


@st.composite
def overlapping(draw: st.DrawFn) -> tuple[set[str], str]:
    """Secrets that begin like one another (prefixes of one string of two letters), and a text
    of pieces of that string: secrets overlapping, nested and nearly there, everywhere."""
    base = draw(st.text("ab", min_size=MIN_WHOLE, max_size=14))
    lengths = draw(st.sets(st.integers(4, len(base)), min_size=1, max_size=5))
    pieces = st.builds(
        lambda i, j, sep: base[i:j] + sep,
        st.integers(0, 14),
        st.integers(0, 14),
        st.sampled_from(["", "", " ", "-", "b", "a"]),
    )
    return {base[:k] for k in lengths}, "".join(draw(st.lists(pieces, max_size=8)))


@given(overlapping())
@example(({"aaaaaaaab"}, "aaaaaaaaab"))  # a secret's beginning, and the secret one further on
@example(({"abababab", "ababababab"}, "abababababab"))  # the longest of those starting there
def test_secrets_are_found_as_one_alternation_of_them_all_would_find_them(case):
    """The finder stands for ``re.compile("|".join(...))`` of every secret, longest first,
    the short ones between non-alphanumerics: the same matches, without compiling it."""
    secrets, text = case
    whole = {s for s in secrets if len(s) >= MIN_WHOLE}
    short = secrets - whole
    alternation = re.compile(
        "|".join(
            [re.escape(s) for s in sorted(whole, key=len, reverse=True)]
            + [
                rf"(?<![A-Za-z0-9]){re.escape(s)}(?![A-Za-z0-9])"
                for s in sorted(short, key=len, reverse=True)
            ]
        )
    )

    expected = alternation.sub(lambda m: f"<{m.group(0)}>", text)
    assert _SecretFinder(whole, short).sub(lambda s: f"<{s}>", text) == expected
