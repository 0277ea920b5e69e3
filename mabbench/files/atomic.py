"""Atomic writes: a file is either absent or whole, never half-written."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def _process_umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: set it straight back
    os.umask(mask)
    return mask


# The mode a plain open() gives a new file. mkstemp creates its file 0600, so every
# record, config and archive was unreadable to the rest of a shared cluster's group.
NEW_FILE_MODE = 0o666 & ~_process_umask()


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a uniquely named temp file in the same folder and rename: never
    half-written, and concurrent writers never share a temp file."""
    atomic_write_bytes(path, text.encode())


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, NEW_FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        if error.filename is None:  # a failed write names no file: name the one being written
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, record: dict) -> None:
    atomic_write_text(path, json.dumps(record, indent=2, sort_keys=True) + "\n")
