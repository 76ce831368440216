"""Reading and writing the zip container of a model file, defensively.

Entries are read into memory by name and never extracted to disk; still, an
archive whose entry names could escape a folder (absolute paths, `..`) or whose
sizes are implausible is refused outright, as the file is not one we wrote.
"""

from __future__ import annotations

import os
import time
import zipfile
import zlib

from baro.saving.safetensors import atomic_open

# Deflate cannot compress better than about 1032:1; a larger claimed ratio is a
# zip bomb (or a corrupt directory).
_MAX_RATIO = 1100
_MAX_ENTRIES = 10_000


def _check_name(name: str, source: str) -> None:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or \
            ".." in parts or "\x00" in name:
        raise ValueError(f"{source}: refusing zip entry {name!r} (absolute path or "
                         "'..'): this is not a file baro wrote.")


class SafeArchive:
    """Read access to a model zip, validated when opened.

    Args:
        filepath: The file.
        required: Entry names that must be present.

    Raises:
        ValueError: If the file is not a zip, an entry name is unsafe or
            repeated, sizes are implausible, or a required entry is missing.
    """

    def __init__(self, filepath, required=()) -> None:
        self.source = os.fspath(filepath)
        try:
            self._zip = zipfile.ZipFile(self.source)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError,
                NotImplementedError, ValueError) as err:
            raise ValueError(f"{self.source}: not a readable model archive "
                             f"({err}).") from None
        try:
            self._validate(infos, required)
        except ValueError:
            self._zip.close()
            raise

    def _validate(self, infos, required) -> None:
        if len(infos) > _MAX_ENTRIES:
            raise ValueError(f"{self.source}: {len(infos)} zip entries; a model "
                             "archive has a handful.")
        total = sum(info.file_size for info in infos)
        archive_size = os.path.getsize(self.source)
        if total > archive_size * _MAX_RATIO + (1 << 20):
            raise ValueError(f"{self.source}: zip entries claim {total:,} bytes "
                             f"from a {archive_size:,}-byte file (a zip bomb?).")
        self._infos = {}
        for info in infos:
            _check_name(info.filename, self.source)
            if info.filename in self._infos:
                raise ValueError(f"{self.source}: zip entry {info.filename!r} "
                                 "appears twice.")
            if info.file_size > info.compress_size * _MAX_RATIO + (1 << 20):
                raise ValueError(f"{self.source}: zip entry {info.filename!r} claims "
                                 f"{info.file_size:,} bytes from "
                                 f"{info.compress_size:,} compressed.")
            self._infos[info.filename] = info
        missing = [name for name in required if name not in self._infos]
        if missing:
            raise ValueError(f"{self.source}: the archive lacks {missing}; it was "
                             "not written by model.save().")

    def names(self) -> list[str]:
        return list(self._infos)

    def __contains__(self, name: str) -> bool:
        return name in self._infos

    def size(self, name: str) -> int:
        """The entry's uncompressed size, as the directory declares it."""
        return self._infos[name].file_size

    def read(self, name: str, limit: int | None = None) -> bytes:
        """The entry's bytes (at most `limit`, else a ValueError)."""
        info = self._infos[name]
        if limit is not None and info.file_size > limit:
            raise ValueError(f"{self.source}: {name} is {info.file_size:,} bytes; "
                             f"at most {limit:,} expected.")
        try:
            return self._zip.read(info)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError,
                NotImplementedError, ValueError, RuntimeError) as err:
            # A bad CRC, truncated or corrupt deflate data, encryption, ...
            raise ValueError(f"{self.source}: cannot read {name} ({err}).") from None

    def close(self) -> None:
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_archive(filepath, entries: dict, stored: tuple[str, ...] = ()) -> None:
    """Writes a zip of `entries` atomically, straight into the file.

    Args:
        filepath: Destination; replaced only once the new file is complete.
        entries: name -> bytes, or a callable writing the entry into the binary
            stream it is given (weights stream without an extra copy).
        stored: Names not to compress (weights barely shrink, and stored
            entries load faster).
    """
    with atomic_open(filepath) as f, zipfile.ZipFile(f, "w") as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=_now())
            info.compress_type = zipfile.ZIP_STORED if name in stored \
                else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            if callable(data):
                # Size unknown in advance: allow more than 2 GiB.
                with archive.open(info, "w", force_zip64=True) as stream:
                    data(stream)
            else:
                archive.writestr(info, data)


def _now() -> tuple:
    return time.localtime()[:6]
