"""Downloading and caching files: `get_file`, with pinned SHA-256 and atomic writes.

A download goes to a temporary file beside its destination and is renamed into
place only after its hash matched, so an interrupted or corrupted transfer never
leaves a file that a later run would load as garbage.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path


def baro_home() -> Path:
    """`$BARO_HOME`, default `~/.baro`: where datasets and downloads are cached."""
    return Path(os.environ.get("BARO_HOME", Path.home() / ".baro"))


def file_sha256(path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


class DownloadError(RuntimeError):
    """A file could not be fetched (offline, HTTP error, or hash mismatch)."""


def _fetch(url: str, destination: Path, expected_sha256: str | None,
           progress: bool, timeout: float) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=destination.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out, \
                urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            done = 0
            digest = hashlib.sha256()
            while True:
                block = response.read(1 << 16)
                if not block:
                    break
                out.write(block)
                digest.update(block)
                done += len(block)
                if progress:
                    _report(done, total, destination.name)
            if total is not None and done != total:
                raise DownloadError(f"{url}: transfer interrupted after {done} of "
                                    f"{total} bytes.")
        if progress:
            sys.stdout.write("\n")
        if expected_sha256 and digest.hexdigest() != expected_sha256:
            raise DownloadError(
                f"{url}: SHA-256 mismatch (expected {expected_sha256}, got "
                f"{digest.hexdigest()}); the file was discarded.")
        os.replace(tmp, destination)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _report(done: int, total: int | None, name: str) -> None:
    if total:
        width = 30
        filled = int(width * done / total)
        bar = "━" * filled + "─" * (width - filled)
        sys.stdout.write(f"\rDownloading {name} {bar} {done / 2**20:.1f}/"
                         f"{total / 2**20:.1f} MB")
    else:
        sys.stdout.write(f"\rDownloading {name} {done / 2**20:.1f} MB")
    sys.stdout.flush()


def get_file(fname: str, origin: str | list[str] | None = None,
             file_hash: str | None = None, cache_subdir: str = "datasets",
             cache_dir=None, progress: bool = True, timeout: float = 60.0) -> str:
    """Returns the local path of `fname`, downloading it into the cache if needed.

    Args:
        fname: File name inside the cache folder.
        origin: URL, or a list of URLs tried in order (mirrors).
        file_hash: Expected SHA-256 (hex). A cached file with another hash is
            downloaded again; a download with another hash is discarded.
        cache_subdir: Folder under the cache directory.
        cache_dir: Default `baro_home()` (`$BARO_HOME` or `~/.baro`).

    Raises:
        DownloadError: If no URL gives a file with the right hash, saying where
            to put the file by hand when offline.
    """
    folder = Path(cache_dir or baro_home()) / cache_subdir
    target = folder / fname
    if target.exists() and (file_hash is None or file_sha256(target) == file_hash):
        return str(target)
    urls = [origin] if isinstance(origin, str) else list(origin or [])
    errors = []
    for url in urls:
        try:
            _fetch(url, target, file_hash, progress, timeout)
            return str(target)
        except (urllib.error.URLError, OSError, DownloadError) as err:
            errors.append(f"{url}: {err}")
    detail = "; ".join(errors) if errors else "no URL given"
    raise DownloadError(
        f"Could not obtain {fname} ({detail}). If this machine is offline, copy "
        f"the file to {target} (or pass path=... to load_data).")


def copy_atomic(source, destination) -> None:
    """Copies a file so that `destination` appears complete or not at all."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=destination.parent, prefix=".part-")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, destination)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
