"""get_file against a real HTTP server on 127.0.0.1: good, corrupted, interrupted
and missing files, mirrors, offline, the cache, hashes and safe extraction."""

import hashlib
import http.server
import io
import socket
import tarfile
import threading
import zipfile

import pytest

from baro.utils.file_utils import (
    DownloadError,
    baro_home,
    get_file,
    hash_file,
    validate_file,
)

PAYLOAD = bytes(range(256)) * 400  # 100 KiB, more than one read block
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class LocalServer:
    """Serves `routes[path] = (status, body, declared_length)` on 127.0.0.1.

    `declared_length` larger than the body makes the server announce more
    bytes than it sends and then close the connection (an interrupted
    transfer). Every request path is recorded in `hits`.
    """

    def __init__(self):
        self.routes = {}
        self.hits = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits.append(self.path)
                status, body, length = server.routes.get(self.path,
                                                         (404, b"missing", None))
                self.send_response(status)
                self.send_header("Content-Length", str(length or len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    local = LocalServer()
    yield local
    local.close()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("BARO_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def refused_url() -> str:
    """A loopback URL nobody listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/file.bin"


def cache_listing(home):
    folder = home / "datasets"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_baro_home_follows_the_environment(home):
    assert baro_home() == home


def test_good_file_is_downloaded_checked_cached_and_not_fetched_twice(server, home,
                                                                    capsys):
    server.routes["/data.bin"] = (200, PAYLOAD, None)
    path = get_file("data.bin", origin=server.url("/data.bin"), file_hash=SHA)
    assert path == str(home / "datasets" / "data.bin")
    assert (home / "datasets" / "data.bin").read_bytes() == PAYLOAD
    assert cache_listing(home) == ["data.bin"]
    assert get_file("data.bin", origin=server.url("/data.bin"), file_hash=SHA) == path
    assert server.hits == ["/data.bin"]
    out = capsys.readouterr().out
    assert "Downloading data from" in out and "data.bin" in out


def test_corrupted_file_raises_a_hash_error_and_leaves_nothing(server, home):
    server.routes["/data.bin"] = (200, PAYLOAD[:-1] + b"X", None)
    with pytest.raises(DownloadError, match="SHA256 mismatch"):
        get_file("data.bin", origin=server.url("/data.bin"), file_hash=SHA)
    assert cache_listing(home) == []


def test_interrupted_transfer_raises_and_leaves_nothing(server, home):
    server.routes["/data.bin"] = (200, PAYLOAD[:5000], len(PAYLOAD))
    with pytest.raises(DownloadError, match="interrupted after 5000 of 102400"):
        get_file("data.bin", origin=server.url("/data.bin"), file_hash=SHA)
    assert cache_listing(home) == []
    # Without a pinned hash the length check alone catches it.
    with pytest.raises(DownloadError, match="interrupted"):
        get_file("data.bin", origin=server.url("/data.bin"))
    assert cache_listing(home) == []


def test_mirror_is_tried_when_the_first_url_fails(server, home):
    server.routes["/mirror/data.bin"] = (200, PAYLOAD, None)
    path = get_file("data.bin", origin=[server.url("/gone/data.bin"),
                                        server.url("/mirror/data.bin")],
                    file_hash=SHA, progress=False)
    assert open(path, "rb").read() == PAYLOAD
    assert server.hits == ["/gone/data.bin", "/mirror/data.bin"]


def test_offline_error_names_the_file_and_where_to_put_it(home):
    url = refused_url()
    with pytest.raises(DownloadError) as info:
        get_file("data.bin", origin=url, file_hash=SHA, progress=False)
    message = str(info.value)
    assert str(home / "datasets" / "data.bin") in message
    assert url in message and "offline" in message
    assert cache_listing(home) == []


def test_cached_file_with_a_wrong_hash_is_replaced(server, home):
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "data.bin").write_bytes(b"stale")
    server.routes["/data.bin"] = (200, PAYLOAD, None)
    path = get_file("data.bin", origin=server.url("/data.bin"), file_hash=SHA,
                    progress=False)
    assert open(path, "rb").read() == PAYLOAD


def test_stale_cache_is_named_when_the_download_fails(home):
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "data.bin").write_bytes(b"stale")
    with pytest.raises(DownloadError, match="wrong hash"):
        get_file("data.bin", origin=refused_url(), file_hash=SHA, progress=False)


def test_force_download_md5_and_name_from_url(server, home):
    server.routes["/dir/data.bin"] = (200, PAYLOAD, None)
    md5 = hashlib.md5(PAYLOAD).hexdigest()  # noqa: S324
    path = get_file(origin=server.url("/dir/data.bin"), md5_hash=md5,
                    progress=False)
    assert path.endswith("data.bin")
    get_file(origin=server.url("/dir/data.bin"), file_hash=md5, progress=False,
             force_download=True)
    assert len(server.hits) == 2
    with pytest.raises(DownloadError, match="MD5 mismatch"):
        get_file("other.bin", origin=server.url("/dir/data.bin"), file_hash="0" * 32,
                 progress=False)


def test_hash_helpers(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(PAYLOAD)
    assert hash_file(path) == SHA
    assert validate_file(path, SHA) and validate_file(path, SHA.upper())
    assert validate_file(path, hashlib.md5(PAYLOAD).hexdigest())  # noqa: S324
    assert not validate_file(path, "0" * 64)
    with pytest.raises(ValueError, match="hash_algorithm"):
        validate_file(path, SHA, algorithm="crc32")


def test_bad_arguments_are_explained(home):
    with pytest.raises(ValueError, match="origin"):
        get_file("x.bin")
    with pytest.raises(ValueError, match="bare file name"):
        get_file("sub/x.bin", origin="http://127.0.0.1:9/x.bin")


def _tarball(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_extract_writes_safe_members_only(server, home, tmp_path):
    archive = _tarball({"pack/a.txt": b"hello", "../escape.txt": b"evil"})
    server.routes["/pack.tar.gz"] = (200, archive, None)
    with pytest.warns(UserWarning, match="escape"):
        folder = get_file("pack.tar.gz", origin=server.url("/pack.tar.gz"),
                          extract=True, progress=False)
    assert folder == str(home / "datasets" / "pack_extracted")
    assert (home / "datasets" / "pack_extracted" / "pack" / "a.txt").read_bytes() \
        == b"hello"
    assert not (home / "datasets" / "escape.txt").exists()
    assert not (home / "escape.txt").exists()
    # The archive stays cached; a second call neither downloads nor re-extracts.
    assert get_file("pack.tar.gz", origin=server.url("/pack.tar.gz"),
                    extract=True, progress=False) == folder
    assert len(server.hits) == 1


def test_extract_zip_and_name_without_dot(server, home):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("inner/b.txt", "zip!")
    server.routes["/z"] = (200, buffer.getvalue(), None)
    folder = get_file("flowers", origin=server.url("/z"), extract=True,
                      progress=False)
    assert folder == str(home / "datasets" / "flowers")
    assert (home / "datasets" / "flowers_archive").exists()
    assert (home / "datasets" / "flowers" / "inner" / "b.txt").read_text() == "zip!"


class Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_progress_line_redraws_in_a_terminal_and_prints_once_in_logs():
    from baro.utils.file_utils import _Progress

    log = Stream(tty=False)
    bar = _Progress("mnist.npz", 2 * 2**20, log)
    bar.update(2**20)
    bar.update(2 * 2**20, final=True)
    assert log.getvalue().count("\n") == 1 and "\r" not in log.getvalue()
    assert "mnist.npz" in log.getvalue() and "2.0/2.0 MB" in log.getvalue()
    terminal = Stream(tty=True)
    bar = _Progress("mnist.npz", None, terminal)
    bar.update(2**20)
    bar.update(2 * 2**20, final=True)
    assert terminal.getvalue().startswith("\rmnist.npz 1.0 MB")
    assert terminal.getvalue().endswith("\n") and "2.0 MB" in terminal.getvalue()
