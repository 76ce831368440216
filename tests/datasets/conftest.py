"""Fixtures for the loaders: a cache in tmp_path and a loopback HTTP server."""

import hashlib

import pytest

from tests.utils.test_file_utils import LocalServer


@pytest.fixture
def home(tmp_path, monkeypatch):
    """`$BARO_HOME` in a temporary folder, so no test touches ~/.baro."""
    monkeypatch.setenv("BARO_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def server():
    local = LocalServer()
    yield local
    local.close()


def serve(server, name: str, data: bytes) -> tuple[str, str]:
    """Serves `data` at /name; returns (url, sha256)."""
    server.routes["/" + name] = (200, data, None)
    return server.url("/" + name), hashlib.sha256(data).hexdigest()
