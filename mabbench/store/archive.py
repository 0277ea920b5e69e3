"""The records archive's format and how it is read: the per-trial folders under
``runs/`` or one ``records.parquet`` (written by ``mabbench.store.compact``), as the same
``Entry`` list in path order. See compact.py for how the archive is made.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mabbench.config.errors import ConfigError

ARCHIVE = "records.parquet"  # default archive name inside a results root
RECORD_NAME = "result.json"
CONFIG_NAME = "config.yaml"
# Schema metadata naming the format, so another Parquet file (e.g. collect's table) is refused.
FORMAT_KEY = b"mabbench.records"
FORMAT_VERSION = b"1"
IDENTITY = ("task", "dataset", "model", "policy", "kind", "config_hash")
# Writer options fixed for byte-identical, compact output.
WRITE_OPTIONS = {"compression": "zstd", "compression_level": 9, "use_dictionary": True,
                 "write_statistics": False, "data_page_size": 1 << 22, "version": "2.6"}
ROW_GROUP = 4096
RANKING_LIMIT = 1 << 31  # unit indices are stored as int32


@dataclass(frozen=True)
class Entry:
    """One stored record: ``where`` is its path relative to the results root (runs/...);
    ``data()`` its file bytes (raises OSError if unreadable); ``config()`` the text
    of its config.yaml, None when there is none."""

    where: str
    data: Callable[[], bytes]
    config: Callable[[], str | None]


def order(where: str) -> tuple[str, ...]:
    """Sort key of a record path: part by part, as sorting ``Path`` objects does."""
    return PurePosixPath(where).parts


def _config_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode()
    except (OSError, UnicodeDecodeError):
        return None


def folder_entries(root: Path) -> list[Entry]:
    """Every ``runs/**/result.json`` under ``root``, in path order."""
    paths = sorted(Path(root, "runs").rglob(RECORD_NAME),
                   key=lambda p: order(p.relative_to(root).as_posix()))
    return [Entry(path.relative_to(root).as_posix(), path.read_bytes,
                  lambda path=path: _config_text(path.with_name(CONFIG_NAME)))
            for path in paths]


def archive_path(results: Path) -> Path | None:
    """The archive ``--results`` names: the file itself, or ``<folder>/records.parquet``
    when the folder has no ``runs/`` (the per-trial folders win where both exist:
    they are what the archive was made from)."""
    results = Path(results)
    if results.is_file() and results.suffix == ".parquet":
        return results
    if results.is_dir() and not (results / "runs").is_dir() and (results / ARCHIVE).is_file():
        return results / ARCHIVE
    return None


def entries(results: Path) -> Iterable[Entry]:
    """The records under ``results``: a folder with ``runs/``, a folder with only
    ``records.parquet``, or the path of an archive."""
    results = Path(results)
    archive = archive_path(results)
    if archive is not None:
        return archive_entries(archive)
    if not (results / "runs").is_dir():
        raise ConfigError(f"--results {results}: no runs/ folder and no {ARCHIVE} "
                          f"(expected {results / 'runs'})")
    return folder_entries(results)


def schema():
    import pyarrow as pa

    fields = [pa.field("path", pa.string(), nullable=False),
              *(pa.field(key, pa.string()) for key in IDENTITY), pa.field("seed", pa.int64()),
              pa.field("record", pa.binary()),  # null: the file could not be read
              pa.field("ranking_layers", pa.list_(pa.string())),
              pa.field("ranking", pa.list_(pa.list_(pa.int32()))),
              pa.field("config", pa.string())]
    return pa.schema(fields, metadata={FORMAT_KEY: FORMAT_VERSION})


# --- unpacking -------------------------------------------------------------------------

def joined(stored: bytes, layers: list[str] | None, orders: list[list[int]] | None) -> bytes:
    """The record's bytes with its ranking put back (what ``packed`` took apart)."""
    if layers is None:
        return stored
    record = json.loads(stored.decode())
    record["ranking"] = dict(zip(layers, orders))
    return json.dumps(record, separators=(",", ":")).encode()


def _missing(where: str) -> bytes:
    raise FileNotFoundError(f"{where}: could not be read when the archive was made")


def archive_entries(path: Path, tasks: Iterable[str] | None = None) -> Iterator[Entry]:
    """The records of an archive written by ``compact``, in path order, read a row group
    at a time (so a large archive is never held in memory as Python objects); with
    ``tasks``, only those tasks' records (the other rows are not decoded)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as error:
        raise ConfigError(f"--results {path}: not a readable Parquet file ({error})") from None
    metadata = handle.schema_arrow.metadata or {}
    if metadata.get(FORMAT_KEY) != FORMAT_VERSION:
        raise ConfigError(f"--results {path}: not a records archive "
                          "(expected one written by python -m mabbench.store.compact)")
    paths = handle.read(columns=["path"]).column("path").to_pylist()
    if paths != sorted(paths, key=order):
        raise ConfigError(f"--results {path}: rows not in path order "
                          "(rewrite it with python -m mabbench.store.compact)")
    columns = ["path", "record", "ranking_layers", "ranking", "config"]
    if tasks is not None:
        chosen = pq.read_table(path, columns=columns, filters=[("task", "in", list(tasks))])
        return (_archived(row) for batch in chosen.to_batches(ROW_GROUP)
                for row in batch.to_pylist())
    return (_archived(row) for batch in handle.iter_batches(batch_size=ROW_GROUP, columns=columns)
            for row in batch.to_pylist())


def _archived(row: dict) -> Entry:
    stored, layers, orders, config = (row[key] for key in ("record", "ranking_layers",
                                                           "ranking", "config"))
    if stored is None:  # archived as unreadable: read back as unreadable
        return Entry(row["path"], lambda: _missing(row["path"]), lambda: config)
    return Entry(row["path"], lambda: joined(stored, layers, orders), lambda: config)
