"""Downloading and caching files: `get_file`, with pinned hashes and atomic writes.

A download goes to a temporary file beside its destination and is renamed into
place only after it is complete and its hash matched, so an interrupted or
corrupted transfer never leaves a file that a later run would load as garbage.
Archives are extracted the same way: into a temporary folder, renamed when done.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.parse
import warnings
import zipfile
from pathlib import Path


def baro_home() -> Path:
    """`$BARO_HOME`, default `~/.baro`: where datasets and downloads are cached.

    Example:
        >>> isinstance(baro_home(), Path)
        True
    """
    return Path(os.path.expanduser(os.environ.get("BARO_HOME", "~/.baro")))


class DownloadError(RuntimeError):
    """A file could not be fetched (offline, HTTP error, or hash mismatch)."""


def _hasher(algorithm: str, file_hash: str | None = None):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None
                                 and len(file_hash) == 64):
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        # Keras still pins a few legacy files (the word indexes) by MD5.
        return hashlib.md5()  # noqa: S324
    raise ValueError(f"hash_algorithm must be 'auto', 'sha256' or 'md5'; "
                     f"received {algorithm!r}.")


def hash_file(fpath, algorithm: str = "sha256", chunk_size: int = 1 << 20) -> str:
    """Hex digest of a file's bytes.

    Args:
        fpath: Path of the file.
        algorithm: `"sha256"` (default) or `"md5"`.
        chunk_size: Bytes read at a time.

    Returns:
        The lowercase hex digest.

    Example:
        >>> import tempfile, os
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "empty")
        ...     open(path, "wb").close()
        ...     hash_file(path)[:16]
        'e3b0c44298fc1c14'
    """
    digest = _hasher(algorithm)
    with open(fpath, "rb") as f:
        for block in iter(lambda: f.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes (`hash_file(path, "sha256")`)."""
    return hash_file(path, "sha256", chunk)


def validate_file(fpath, file_hash: str, algorithm: str = "auto") -> bool:
    """Whether a file's hash equals `file_hash`.

    Args:
        fpath: Path of the file.
        file_hash: Expected hex digest.
        algorithm: `"auto"` (SHA-256 for 64 hex digits, else MD5), `"sha256"`
            or `"md5"`.

    Returns:
        True when the digests match (case-insensitive).
    """
    name = _hasher(algorithm, file_hash).name
    return hash_file(fpath, name) == str(file_hash).lower()


class _Progress:
    """A byte-count progress line: redrawn in place in a terminal, and in logs
    (where "\\r" redraws pile up) only a start and a final line."""

    def __init__(self, name: str, total: int | None, stream=None):
        self.name = name
        self.total = total
        self.stream = stream or sys.stdout
        isatty = getattr(self.stream, "isatty", None)
        self.dynamic = bool(isatty()) if isatty is not None else False
        self.start = time.monotonic()
        self.last = 0.0

    def update(self, done: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and (not self.dynamic or now - self.last < 0.1):
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9) / 2**20
        size = f"{done / 2**20:.1f} MB"
        if self.total:
            filled = int(30 * done / self.total)
            size = (f"{'━' * filled}{'─' * (30 - filled)} {done / 2**20:.1f}/"
                    f"{self.total / 2**20:.1f} MB")
        line = f"{self.name} {size} {rate:.1f} MB/s"
        if self.dynamic:
            self.stream.write("\r" + line + ("\n" if final else ""))
        elif final:
            self.stream.write(line + "\n")
        self.stream.flush()


def default_permissions(path) -> None:
    """Gives a temp file (mkstemp makes them 0600) the usual permissions, so a file
    renamed into place is readable like any other the user creates."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def _fetch(url: str, destination: Path, file_hash: str | None, algorithm: str,
           progress: bool, timeout: float) -> None:
    """Downloads `url` to `destination` atomically, checking size and hash."""
    import urllib.request  # only when downloading: it costs ~25 ms to import

    fd, tmp = tempfile.mkstemp(dir=destination.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out, \
                urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            total = int(response.headers.get("Content-Length") or 0) or None
            digest = _hasher(algorithm, file_hash)
            bar = _Progress(destination.name, total) if progress else None
            if bar is not None:
                print(f"Downloading data from {url}")
            done = 0
            while block := response.read(1 << 16):
                out.write(block)
                digest.update(block)
                done += len(block)
                if bar is not None:
                    bar.update(done)
            if bar is not None:
                bar.update(done, final=True)
        # http.client returns b"" when the server closes early, so the length is
        # checked here: a short transfer is an error, never a smaller file.
        if total is not None and done != total:
            raise DownloadError(f"transfer interrupted after {done} of {total} "
                                "bytes")
        if file_hash and digest.hexdigest() != file_hash.lower():
            raise DownloadError(
                f"{digest.name.upper()} mismatch (expected {file_hash}, got "
                f"{digest.hexdigest()}); the file was discarded")
        default_permissions(tmp)
        os.replace(tmp, destination)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _inside(folder: Path, name: str) -> bool:
    root = os.path.realpath(folder)
    target = os.path.realpath(os.path.join(root, name))
    return os.path.commonpath([root, target]) == root


def _extract(archive: Path, destination: Path, archive_format) -> bool:
    """Extracts a tar or zip archive into `destination`, atomically.

    Only regular files and folders that stay inside `destination` are written;
    links, devices and paths such as `../x` or `/etc/x` are skipped with a
    warning.
    """
    formats = ["tar", "zip"] if archive_format == "auto" else archive_format
    formats = [formats] if isinstance(formats, str) else list(formats or [])
    kind = next((f for f in formats if (f == "tar" and tarfile.is_tarfile(archive))
                 or (f == "zip" and zipfile.is_zipfile(archive))), None)
    if kind is None:
        return False
    tmp = Path(tempfile.mkdtemp(dir=destination.parent, prefix=".extract-"))
    try:
        if kind == "tar":
            with tarfile.open(archive) as tar:
                members = [m for m in tar.getmembers() if _safe_tar_member(m, tmp)]
                for member in members:
                    tar.extract(member, tmp, set_attrs=False,
                                **({"filter": "data"}
                                   if hasattr(tarfile, "data_filter") else {}))
        else:
            with zipfile.ZipFile(archive) as zf:
                for info in zf.infolist():
                    if _inside(tmp, info.filename):
                        zf.extract(info, tmp)
                    else:
                        warnings.warn(f"Skipped unsafe archive path "
                                      f"{info.filename!r}.", stacklevel=3)
        if destination.exists():
            shutil.rmtree(destination)
        os.replace(tmp, destination)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


def _safe_tar_member(member: tarfile.TarInfo, folder: Path) -> bool:
    if (member.isfile() or member.isdir()) and _inside(folder, member.name):
        return True
    warnings.warn(f"Skipped unsafe or unsupported archive member {member.name!r}.",
                  stacklevel=4)
    return False


def _cache_folder(cache_dir, cache_subdir: str) -> Path:
    base = Path(os.path.expanduser(cache_dir)) if cache_dir else baro_home()
    try:
        base.mkdir(parents=True, exist_ok=True)
        writable = os.access(base, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        # Keras's fallback: a read-only home still lets a session download.
        base = Path(tempfile.gettempdir()) / ".baro"
    folder = base / cache_subdir
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def get_file(fname: str | None = None, origin: str | list[str] | None = None,
             untar: bool = False, md5_hash: str | None = None,
             file_hash: str | None = None, cache_subdir: str = "datasets",
             hash_algorithm: str = "auto", extract: bool = False,
             archive_format: str | list[str] | None = "auto", cache_dir=None,
             force_download: bool = False, *, progress: bool = True,
             timeout: float = 60.0) -> str:
    """Returns the local path of `fname`, downloading it into the cache if needed.

    The file lands in `cache_dir/cache_subdir/fname` (default
    `$BARO_HOME/datasets`, `~/.baro/datasets`). A cached file whose hash differs
    from `file_hash` is downloaded again; a download whose hash differs is
    discarded and the next URL (a mirror) is tried. Keras's arguments and
    semantics, plus a list of mirrors for `origin`.

    Args:
        fname: File name inside the cache folder (no folders). Default: the last
            part of the first URL.
        origin: URL, or a list of URLs tried in order (mirrors).
        untar: Deprecated: same as `extract=True, archive_format="tar"`.
        md5_hash: Deprecated: same as `file_hash` with `hash_algorithm="md5"`.
        file_hash: Expected hex digest (SHA-256, or MD5 for legacy files).
        cache_subdir: Folder under the cache directory (an absolute path is
            used as is).
        hash_algorithm: `"auto"` (64 hex digits: SHA-256, else MD5), `"sha256"`
            or `"md5"`.
        extract: Whether to extract a tar or zip archive. The archive is kept as
            `fname`, the files go to a folder named `fname` up to its first dot
            plus `_extracted` (or, when `fname` has no dot, to `fname` itself,
            the archive being `fname + "_archive"`), and that folder is returned.
        archive_format: `"auto"` (tar, then zip), `"tar"`, `"zip"`, a list, or
            None.
        cache_dir: Default `baro_home()`; a temporary folder when not writable.
        force_download: Download even when a valid copy is cached.
        progress: Print a progress line while downloading.
        timeout: Seconds to wait for the server before giving up on a URL.

    Returns:
        The path of the file (or of the extracted folder when `extract`).

    Raises:
        ValueError: If no origin is given or `fname` holds a folder.
        DownloadError: If no URL gives a complete file with the right hash; the
            message says where to put the file by hand when offline.
    """
    urls = [origin] if isinstance(origin, str) else list(origin or [])
    if not urls:
        raise ValueError("get_file needs origin=URL (or a list of URLs) to "
                         "download from; received none.")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    _hasher(hash_algorithm, file_hash)  # validates hash_algorithm early
    fname = os.fspath(fname) if fname else os.path.basename(
        urllib.parse.urlsplit(urls[0]).path)
    if not fname:
        raise ValueError(f"Cannot take a file name from {urls[0]!r}; pass fname.")
    if os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError(f"fname must be a bare file name; received {fname!r}. "
                         "Use cache_dir / cache_subdir to choose the folder.")
    folder = _cache_folder(cache_dir, cache_subdir)
    extract = extract or untar
    target = folder / fname
    if extract and "." not in fname:
        extraction_dir, target = target, folder / f"{fname}_archive"
    elif extract:
        extraction_dir = folder / f"{fname[:fname.find('.')]}_extracted"

    fresh = False
    if force_download or not target.exists() or (
            file_hash is not None
            and not validate_file(target, file_hash, hash_algorithm)):
        _download(urls, target, file_hash, hash_algorithm, progress, timeout)
        fresh = True
    if not extract:
        return str(target)
    if fresh or not extraction_dir.exists():
        fmt = "tar" if untar else archive_format
        if not _extract(target, extraction_dir, fmt):
            warnings.warn(f"{target} is not a {fmt} archive; nothing extracted.",
                          stacklevel=2)
    return str(extraction_dir)


def _download(urls: list[str], target: Path, file_hash: str | None,
              algorithm: str, progress: bool, timeout: float) -> None:
    import http.client
    import urllib.error

    errors = []
    for url in urls:
        try:
            _fetch(url, target, file_hash, algorithm, progress, timeout)
            return
        except (urllib.error.URLError, OSError, http.client.HTTPException,
                DownloadError) as err:
            errors.append(f"{url}: {err}")
    stale = " (the cached copy there has the wrong hash)" if target.exists() else ""
    raise DownloadError(
        f"Could not download {target.name}. Tried: " + "; ".join(errors) + ". "
        f"If this machine is offline, download {urls[0]} elsewhere and copy it "
        f"to {target}{stale}, or pass path=<your copy> to load_data.")


def copy_atomic(source, destination) -> None:
    """Copies a file so that `destination` appears complete or not at all.

    Args:
        source: Path of the file to copy.
        destination: Path to create or replace.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=destination.parent, prefix=".part-")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        default_permissions(tmp)
        os.replace(tmp, destination)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
