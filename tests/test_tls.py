"""The certificates Graph's answers are verified with: httpx's own trust, loaded ahead, and a
variable naming certificates that cannot be loaded is a usage error, never a traceback."""

from __future__ import annotations

import ssl

import pytest

from conftest import simulator_env
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
