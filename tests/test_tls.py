"""The certificates Graph's answers are verified with: httpx's own trust, loaded ahead, and a
variable naming certificates that cannot be loaded is a usage error, never a traceback."""

from __future__ import annotations

import ssl
import threading

import httpx
import pytest

from conftest import simulator_env
from wa_doctor import tls
from wa_doctor.errors import ConfigError
from wa_doctor.tls import TlsContext


def test_the_context_verifies_certificates_and_host_names():
    context = TlsContext().get()

    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


@pytest.mark.parametrize(
    ("content", "why"),
    [(None, "No such file or directory"), ("not a certificate\n", "no certificate")],
    ids=["missing file", "file without a certificate"],
)
def test_certificates_that_cannot_be_loaded_name_the_variable(monkeypatch, tmp_path, content, why):
    bundle = tmp_path / "bundle.pem"
    if content is not None:
        bundle.write_text(content)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))

    with pytest.raises(ConfigError) as raised:
        TlsContext().get()

    assert f"(SSL_CERT_FILE={bundle})" in str(raised.value)
    assert why in str(raised.value)


def test_a_certificate_file_httpx_cannot_load_is_a_usage_error(run_suite, graph_simulator):
    env = {**simulator_env(graph_simulator("healthy")), "SSL_CERT_FILE": "missing.pem"}

    run = run_suite(env=env)

    assert run.exit_code == 4
    assert "the certificates to trust cannot be loaded (SSL_CERT_FILE=missing.pem)" in run.stderr
    assert "INTERNALERROR" not in run.stdout + run.stderr


def test_certificates_that_never_finish_loading_are_a_usage_error(monkeypatch):
    never = threading.Event()
    monkeypatch.setattr(httpx, "create_ssl_context", never.wait)
    monkeypatch.setattr(tls, "LOAD_DEADLINE", 0.01)
    context = TlsContext()
    try:
        with pytest.raises(ConfigError, match="did not load within"):
            context.get()
    finally:
        never.set()


def test_a_timeout_the_loading_itself_meets_is_told_in_its_own_words(monkeypatch):
    def hung_share() -> ssl.SSLContext:
        raise TimeoutError("the network share did not answer")

    monkeypatch.setattr(httpx, "create_ssl_context", hung_share)

    with pytest.raises(ConfigError, match="the network share did not answer"):
        TlsContext().get()
