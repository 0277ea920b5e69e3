"""Checksummed writes and validated reads of the files a sweep trusts.

A JSON file written here carries ``"sha256"``: the digest of its own
canonical text without that key, so one atomic rename writes the record and
its checksum together. A read is trusted only if the file parses, is a JSON
object, carries every required key, matches the expected config hash and (if
it has one) its checksum. Anything else is *quarantined*: one log line names
the path and why, the file is renamed ``<name>.corrupt-<UTC time>`` (kept for
inspection, never read again) and the caller recomputes it.

Records written before checksums existed (no ``"sha256"`` key) are accepted
when they parse and match their schema and hash, so older stores stay usable.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mabbench.files.atomic import atomic_write_text

log = logging.getLogger(__name__)
CHECKSUM_KEY = "sha256"


def canonical(record: dict) -> str:
    """The text a checksum covers: sorted keys, no spaces, no NaN or infinity."""
    body = {key: value for key, value in record.items() if key != CHECKSUM_KEY}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)


def record_checksum(record: dict) -> str:
    return hashlib.sha256(canonical(record).encode()).hexdigest()


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def non_finite_paths(value: Any, where: str = "") -> list[str]:
    """Where ``value`` holds a NaN or an infinity, e.g. ``['curve[1].test']``."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [where or "<value>"]
    if isinstance(value, dict):
        return [p for key, item in value.items()
                for p in non_finite_paths(item, f"{where}.{key}" if where else str(key))]
    if isinstance(value, (list, tuple)):
        return [p for i, item in enumerate(value) for p in non_finite_paths(item, f"{where}[{i}]")]
    return []


def write_checked_json(path: Path, record: dict) -> None:
    """Atomically write ``record`` plus its checksum. Raises ValueError on NaN or
    infinity (JSON has no such numbers; a bare ``NaN`` is never written)."""
    body = {key: value for key, value in record.items() if key != CHECKSUM_KEY}
    text = json.dumps(body | {CHECKSUM_KEY: record_checksum(body)}, indent=2, sort_keys=True,
                      allow_nan=False)
    atomic_write_text(path, text + "\n")


def quarantine(path: Path, why: str) -> Path:
    """Rename a file that failed validation out of the way; log one line."""
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f".{int(now % 1 * 1e6):06d}Z"
    moved = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        path.replace(moved)
    except FileNotFoundError:  # another process moved it first
        return moved
    log.warning("untrusted %s (%s): moved to %s; recomputing", path, why, moved.name)
    return moved


def _reject_constant(token: str):
    raise ValueError(f"non-finite number {token}")


def problem(path: Path, required: Iterable[str] = (), expect: dict | None = None) -> str | None:
    """Why ``path`` cannot be trusted, or None (it parses, has the required
    keys, ``expect``'s key/values and, when it carries one, a matching checksum)."""
    return _checked(path, required, expect)[1]


def _checked(path: Path, required: Iterable[str], expect: dict | None
             ) -> tuple[dict | None, str | None]:
    """(the parsed record, None) when it can be trusted, else (None, why)."""
    try:
        record = json.loads(path.read_text(), parse_constant=_reject_constant)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return None, f"unreadable: {type(error).__name__}: {str(error)[:80]}"
    if not isinstance(record, dict):
        return None, "not a JSON object"
    missing = [key for key in required if key not in record]
    if missing:
        return None, f"missing keys {', '.join(missing)}"
    for key, value in (expect or {}).items():
        if record.get(key) != value:
            return None, f"{key}={record.get(key)!r}, expected {value!r}"
    stored = record.get(CHECKSUM_KEY)
    if stored is not None and stored != record_checksum(record):
        return None, "checksum mismatch"
    return record, None


def read_trusted_json(path: Path, required: Iterable[str] = (), expect: dict | None = None,
                      repair: bool = True) -> dict | None:
    """The record at ``path`` if it validates; else None, and with ``repair``
    the file is quarantined (callers that race a builder pass False outside their lock)."""
    if not path.exists():
        return None
    record, why = _checked(path, required, expect)
    if why is not None and repair:
        quarantine(path, why)
    return record
