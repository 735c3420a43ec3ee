"""The credential store against a real PostgreSQL: read-only, and every failure classified."""

from __future__ import annotations

import contextlib
import dataclasses
import secrets
import socket
import threading

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from conftest import READER_PASSWORD, READER_ROLE, fake_token, growth
from wa_doctor import failures_query, store
from wa_doctor.checks.database import connected_role
from wa_doctor.checks.exposure import table_exposure
from wa_doctor.config import load_config
from wa_doctor.doctor import Doctor
from wa_doctor.errors import Blocked, StoreError
from wa_doctor.findings import Outcome
from wa_doctor.prefetch import read_ahead
from wa_doctor.redaction import Redactor
from wa_doctor.registry import load_all
from wa_doctor.runner import run_check
from wa_doctor.simulator.crm import add_credentials, drop_database
from wa_doctor.store import (
    read_active_credentials,
    read_failures,
    read_only_session,
    read_role,
)
from wa_doctor.table import TableSpec

SPEC = TableSpec.parse("crm.marketing_channel_credential")


CHECKS = load_all()


def read(url: str, spec: TableSpec = SPEC, timeout: float = 5.0):
    return read_active_credentials(url, spec, Redactor(), timeout)


def test_the_session_refuses_writes(crm_database):
    with (
        read_only_session(crm_database.url, 5) as cur,
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
    ):
        cur.execute("INSERT INTO crm.marketing_channel_credential (canal_tipo) VALUES ('whatsapp')")


def test_the_session_stays_read_only_and_bounded_after_a_commit(crm_database):
    with read_only_session(crm_database.url, 2) as cur:
        cur.execute("COMMIT")
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone() == ("2s",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            cur.execute("DELETE FROM crm.marketing_channel_credential")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT 131047, now(); DELETE FROM crm.marketing_channel_credential",
        "SELECT 1; DROP TABLE crm.marketing_channel_credential",
    ],
    ids=["select then delete", "select then drop"],
)
def test_a_failures_query_with_several_statements_runs_none_of_them(crm_database, query):
    crm_database.add_credential(fake_token())

    with pytest.raises(StoreError) as error:
        read_failures(crm_database.reader_url, query, Redactor())

    assert error.value.finding_id == "db.query_failed"
    assert "multiple commands" in str(error.value)
    assert crm_database.execute("SELECT count(*) FROM crm.marketing_channel_credential") == [(1,)]


def test_a_failures_query_that_does_not_read_is_never_sent(crm_database):
    with pytest.raises(StoreError) as error:
        read_failures(crm_database.url, "COPY (SELECT 1) TO PROGRAM 'touch /tmp/x'", Redactor())
    assert error.value.finding_id == "db.query_failed"
    assert "must start with SELECT" in str(error.value)


def test_a_failures_query_cannot_outlive_the_timeout_after_a_commit(crm_database):
    with pytest.raises(StoreError) as error:
        read_failures(
            crm_database.reader_url, "SELECT 1; COMMIT; SELECT pg_sleep(40)", Redactor(), 1
        )
    assert error.value.finding_id == "db.query_failed"


def test_a_slow_failures_query_is_cut_by_the_statement_timeout(crm_database):
    with pytest.raises(StoreError) as error:
        read_failures(crm_database.reader_url, "SELECT 131047, pg_sleep(5)", Redactor(), 1)
    assert error.value.finding_id == "db.timeout"


def test_an_sql_error_in_the_failures_query_is_the_querys_fault(crm_database):
    with pytest.raises(StoreError) as error:
        read_failures(crm_database.reader_url, "SELECT code FROM crm.no_such_table", Redactor())
    assert error.value.finding_id == "db.query_failed"
    assert 'relation "crm.no_such_table" does not exist' in str(error.value)


def test_the_connected_role_says_whether_it_is_more_than_a_reader(crm_database):
    owner = read_role(crm_database.url, SPEC, Redactor())
    reader = read_role(crm_database.reader_url, SPEC, Redactor())

    assert owner.privileged
    assert (reader.name, reader.privileged) == (READER_ROLE, False)


def test_the_reads_a_whole_run_starts_ahead_are_what_the_checks_would_read(crm_database, tmp_path):
    doctor = Doctor.create(load_config({}, {"DATABASE_URL": crm_database.reader_url}, tmp_path))

    read_ahead(doctor)
    for thread in threading.enumerate():
        if thread.name.startswith("wa-doctor-"):
            thread.join()
    unreachable = "postgresql://reader@127.0.0.1:9/crm"  # what the checks get was read before
    doctor.config = dataclasses.replace(doctor.config, database_url=unreachable)

    assert connected_role(doctor) == read_role(crm_database.reader_url, SPEC, Redactor())
    assert table_exposure(doctor) == store.read_exposure(crm_database.url, SPEC, Redactor())


def test_a_read_started_ahead_that_is_blocked_is_blocked_when_a_check_asks(
    empty_database, tmp_path
):
    doctor = Doctor.create(load_config({}, {"DATABASE_URL": empty_database.url}, tmp_path))
    read_ahead(doctor)

    for _ in ("ahead", "asked again"):
        with pytest.raises(Blocked) as blocked:
            table_exposure(doctor)
        assert blocked.value.root_finding == "db.table_missing"


def test_reading_changes_nothing(crm_database):
    crm_database.add_credential(fake_token())
    before = crm_database.execute("SELECT * FROM crm.marketing_channel_credential")
    xact_before = crm_database.execute("SELECT txid_current_if_assigned()")

    rows = read(crm_database.url)

    assert len(rows) == 1
    assert crm_database.execute("SELECT * FROM crm.marketing_channel_credential") == before
    assert xact_before == [(None,)]


def test_only_active_whatsapp_rows_are_read(crm_database):
    active = crm_database.add_credential(fake_token(), "111")
    crm_database.add_credential(fake_token(), "222", active=False)
    crm_database.add_credential(fake_token(), "333", channel="sms")

    rows = read(crm_database.url)

    assert [(r.id, r.phone_number_id) for r in rows] == [(str(active), "111")]
    assert "access_token" not in repr(rows[0])


def test_a_statement_timeout_is_db_timeout(crm_database):
    crm_database.execute(
        "CREATE VIEW crm.slow AS SELECT c.* FROM crm.marketing_channel_credential c, pg_sleep(3)"
    )
    crm_database.add_credential(fake_token())

    with pytest.raises(StoreError) as error:
        read(crm_database.url, TableSpec.parse("crm.slow"), timeout=1)

    assert error.value.finding_id == "db.timeout"


def test_a_missing_column_is_db_column_missing(empty_database):
    empty_database.execute(
        "CREATE SCHEMA crm; CREATE TABLE crm.marketing_channel_credential "
        "(id int, canal_tipo text, phone_number_id text, access_token text, updated_at date)"
    )
    with pytest.raises(StoreError) as error:
        read(empty_database.url)
    assert error.value.finding_id == "db.column_missing"
    assert "activo" in str(error.value)


def test_a_non_text_token_is_read_as_text(empty_database):
    empty_database.execute(
        "CREATE SCHEMA crm; CREATE TABLE crm.marketing_channel_credential (id int, "
        "canal_tipo text, phone_number_id bigint, access_token bytea, activo boolean, "
        "updated_at timestamptz)"
    )
    empty_database.execute(
        "INSERT INTO crm.marketing_channel_credential VALUES (1, 'whatsapp', 106540352242922, "
        "'\\x454141', true, now())"
    )
    (row,) = read(empty_database.url)
    assert row.phone_number_id == "106540352242922"
    assert isinstance(row.access_token, str)


@pytest.mark.parametrize(
    ("url", "finding"),
    [
        ("postgresql://u:pw-secret-123456@db-host.invalid:5432/crm", "db.unreachable"),
        ("not a url ===", "db.unreachable"),
    ],
    ids=["dns failure", "unparsable url"],
)
def test_connection_failures_are_classified_without_the_password(url, finding):
    with pytest.raises(StoreError) as error:
        read_active_credentials(url, SPEC, Redactor(["pw-secret-123456"]), timeout=2)
    assert error.value.finding_id == finding
    assert "pw-secret-123456" not in str(error.value)


def test_ssl_required_by_the_url_is_reported():
    """A server without SSL answers the SSLRequest with 'N'; sslmode=require must then fail."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def refuse_ssl() -> None:
        with contextlib.suppress(OSError):
            connection, _ = listener.accept()
            with connection:
                connection.recv(8)  # SSLRequest: length + code 80877103
                connection.sendall(b"N")

    threading.Thread(target=refuse_ssl, daemon=True).start()
    try:
        with pytest.raises(StoreError) as error:
            read(f"postgresql://crm:pw@127.0.0.1:{port}/crm?sslmode=require")
    finally:
        listener.close()
    assert error.value.finding_id == "db.unreachable"
    assert "SSL" in str(error.value)


def _error_response(code: str, message: str) -> bytes:
    fields = b"".join(
        kind + value.encode() + b"\0"
        for kind, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", message))
    )
    body = fields + b"\0"
    return b"E" + (len(body) + 4).to_bytes(4, "big") + body


def test_a_pooler_that_refuses_startup_options_is_connected_to_without_them():
    """PgBouncer answers 'unsupported startup parameter: options'; the second attempt, without
    options, gets through (here: to a password check)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    startups: list[bytes] = []

    def pooler() -> None:
        with contextlib.suppress(OSError):
            while len(startups) < 2:
                connection, _ = listener.accept()
                with connection:
                    packet = connection.recv(4096)
                    if packet[4:8] == (80877103).to_bytes(4, "big"):  # SSLRequest
                        connection.sendall(b"N")
                        packet = connection.recv(4096)
                    startups.append(packet)
                    if b"options" in packet:
                        reply = _error_response("08P01", "unsupported startup parameter: options")
                    else:
                        reply = _error_response("28P01", 'password authentication failed for "u"')
                    connection.sendall(reply)

    threading.Thread(target=pooler, daemon=True).start()
    try:
        with pytest.raises(StoreError) as error:
            read(f"postgresql://u:pw@127.0.0.1:{port}/crm")
    finally:
        listener.close()
    assert error.value.finding_id == "db.auth_failed"
    assert [b"default_transaction_read_only" in s for s in startups] == [True, False]


def test_a_transaction_pooler_gets_no_session_settings():
    from wa_doctor.store import through_transaction_pooler

    assert through_transaction_pooler(
        "postgresql://postgres.ref:pw@aws-0-eu.pooler.supabase.com:6543/db"
    )
    assert through_transaction_pooler("postgresql://u@db.example.com:6432/crm")
    assert not through_transaction_pooler("postgresql://u@db.example.com:5432/crm")


# -- bounded: every read ends, values and rows are capped, any encoding is text ---------------
def _silent_postgres() -> tuple[socket.socket, threading.Event]:
    """A server that completes PostgreSQL's start-up (trust authentication, ready for a
    query) and then never answers: what a hung pooler looks like to a client."""
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def message(kind: bytes, body: bytes) -> bytes:
        return kind + (len(body) + 4).to_bytes(4, "big") + body

    def serve() -> None:
        with contextlib.suppress(OSError):
            connection, _ = listener.accept()
            with connection:
                first = connection.recv(8)
                if first[4:8] == (80877103).to_bytes(4, "big"):  # SSLRequest: no SSL here
                    connection.sendall(b"N")
                    connection.recv(4096)  # the start-up message
                else:
                    connection.recv(4096)
                connection.sendall(
                    message(b"R", (0).to_bytes(4, "big"))  # AuthenticationOk
                    + message(b"S", b"client_encoding\0UTF8\0")
                    + message(b"S", b"server_version\x0016.0\0")
                    + message(b"K", (1).to_bytes(4, "big") + (2).to_bytes(4, "big"))
                    + message(b"Z", b"I")  # ReadyForQuery
                )
                done.wait(60)  # whatever comes next is never answered

    threading.Thread(target=serve, daemon=True).start()
    return listener, done


def test_a_server_that_never_answers_a_query_is_a_timeout_not_a_hang():
    listener, done = _silent_postgres()
    port = listener.getsockname()[1]
    url = f"postgresql://doctor@127.0.0.1:{port}/crm?sslmode=disable"
    try:
        with pytest.raises(StoreError) as error:
            read(url, timeout=1)
    finally:
        done.set()
        listener.close()

    assert error.value.finding_id == "db.timeout"
    assert "did not answer within" in str(error.value)


def test_a_sql_ascii_database_gives_text_not_bytes(postgres_url):
    name = f"crm_ascii_{secrets.token_hex(6)}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "CREATE DATABASE {} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' "
                "TEMPLATE template0"
            ).format(sql.Identifier(name))
        )
    url = make_conninfo(postgres_url, dbname=name)
    try:
        add_credentials(url, [(fake_token(), "106540352242922")])

        (row,) = read(url)
        reader = make_conninfo(url, user=READER_ROLE, password=READER_PASSWORD)
        failures = read_failures(reader, "SELECT '131047'::text, now()", Redactor())
    finally:
        drop_database(postgres_url, url)

    assert isinstance(row.access_token, str) and isinstance(row.id, str)
    assert failures[0][0] == 131047


def test_values_and_rows_are_read_up_to_their_caps(crm_database, monkeypatch):
    monkeypatch.setattr(store, "MAX_ROWS", 3)
    crm_database.add_credential("EAA" + "x" * 20_000_000, "106540352242900")
    for n in range(1, 5):
        crm_database.add_credential(fake_token(), f"10654035224290{n}")

    rows = read(crm_database.url)

    assert len(rows) == store.MAX_ROWS + 1, "one more than kept: there are more"
    assert max(len(r.access_token or "") for r in rows) == store.MAX_VALUE + 1


def test_a_failures_query_without_columns_is_a_finding(crm_database):
    with pytest.raises(StoreError) as error:
        read_failures(crm_database.reader_url, "SELECT FROM generate_series(1, 3)", Redactor())

    assert error.value.finding_id == "db.query_failed"
    assert "first column must be the error code" in str(error.value)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT pg_terminate_backend(pid), now() FROM pg_stat_activity",
        'SELECT "pg_cancel_backend" (1), now()',
        "SELECT pg_catalog.pg_notify('c', 'x'), now()",
        "SELECT pg_advisory_lock(42), now()",
        "SELECT 1, now() FROM pg_read_file('/etc/passwd')",
    ],
)
def test_a_failures_query_that_acts_beyond_reading_is_not_run(crm_database, query):
    bystander = psycopg.connect(crm_database.url, autocommit=True)
    try:
        with pytest.raises(StoreError) as error:
            read_failures(crm_database.reader_url, query, Redactor())

        assert error.value.finding_id == "db.query_failed"
        assert "acts beyond reading" in str(error.value)
        assert bystander.execute("SELECT 1").fetchone() == (1,), "no session was ended"
    finally:
        bystander.close()


def test_the_failures_query_is_not_run_as_a_role_that_can_step_out_of_read_only(crm_database):
    with pytest.raises(StoreError) as error:
        read_failures(crm_database.url, "SELECT 131047, now()", Redactor())  # a superuser

    assert error.value.finding_id == "db.query_failed"
    assert "only as a role that can just read" in str(error.value)


@pytest.mark.parametrize(
    "query",
    [
        "/* /* */ SELECT */ COPY (SELECT 1) TO PROGRAM 'touch /tmp/x'",
        "SELECT pg_terminate_backend/**/(pid), now() FROM pg_stat_activity",
        "SELECT pg_terminate_backend --x\n(pid), now() FROM pg_stat_activity",
        'SELECT U&"pg_terminate\\005fbackend"(pid), now() FROM pg_stat_activity',
        "SELECT query_to_xml('select 1', true, false, ''), now()",
        "SELECT $a1$ ' $a1$, pg_terminate_backend(1), now()",
    ],
    ids=[
        "nested comments",
        "comment before (",
        "line comment before (",
        "U& escape",
        "to_xml",
        "dollar tag with a digit",
    ],
)
def test_hiding_a_call_or_a_statement_in_comments_or_escapes_does_not_get_it_sent(query):
    assert failures_query.refusal(query) is not None


def test_a_query_s_comments_and_strings_are_read_as_postgresql_reads_them():
    kept = "SELECT 131047 /* a /* nested */ note */, '--not a comment', $x$ /* kept */ $x$ -- end"

    assert failures_query.without_comments(kept) == (
        "SELECT 131047  , '--not a comment', $x$ /* kept */ $x$  "
    )
    assert failures_query.refusal(kept) is None


def test_vetting_a_failures_query_takes_time_linear_in_it():
    assert growth(failures_query.refusal, lambda n: "/**/" * n + "DELETE FROM x") < 32


def test_more_active_rows_than_are_read_is_a_warning_naming_the_cap(
    crm_database, monkeypatch, tmp_path
):
    monkeypatch.setattr(store, "MAX_ROWS", 3)
    for n in range(1, 5):
        crm_database.add_credential(fake_token(), f"10654035224290{n}")
    doctor = Doctor.create(
        load_config({"lang": "en"}, {"DATABASE_URL": crm_database.url}, tmp_path)
    )

    result = run_check(doctor, CHECKS["active_credential_exists"])

    assert len(doctor.credentials) == 3
    assert [f.id for f in result.findings] == ["db.too_many_rows"]
    assert result.outcome is Outcome.WARNING
    assert "3" in result.primary.message
