"""Fixtures of the probe tests: the local stand-in for Google, a real RSA key, and a runner
that runs ``wsaudit probe`` in a child process and checks that no secret reached anything
it wrote (the runner itself is in ``support.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.probe.fake_google import FakeGoogle
from tests.probe.support import ProbeRunner, RsaKey


@pytest.fixture
def google():
    fake = FakeGoogle().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def rsa_key() -> RsaKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return RsaKey(pem, key.public_key())


@pytest.fixture
def probe(google: FakeGoogle, tmp_path: Path, rsa_key: RsaKey) -> ProbeRunner:
    runner = ProbeRunner(google, tmp_path)
    runner.extra_secrets.extend(rsa_key.secret_lines())
    return runner
