"""Put an archive's records back as per-trial folders, so a grid resumes from it.

``python -m mabbench.store.restore --results results/reference`` writes every record of
``results/reference/records.parquet`` that ``runs/`` lacks back to its folder
(``result.json`` and the ``config.yaml`` beside it). A fresh clone then resumes the
reference grid where the archive ends instead of re-running every trial, and the
folders of a finished grid can be deleted: this command brings them back.

A file already in ``runs/`` is never touched, so a newer record wins over the
archived one. Restored files take the archive's modification time: they are what
the archive was made from, not records written after it (which ``compact.stale``
would flag). Records are written as the archive stores them (compact JSON, the
ranking put back); compacting the restored folders gives the same archive bytes.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mabbench.config.errors import ConfigError
from mabbench.files.atomic import atomic_write_bytes
from mabbench.store.compact import ARCHIVE, CONFIG_NAME, archive_entries


@dataclass(frozen=True)
class Restored:
    written: int = 0  # records written back
    present: int = 0  # records runs/ already held (left as they are)
    unreadable: int = 0  # archived as unreadable: nothing to write back


def _archive_of(results: Path) -> Path:
    archive = results / ARCHIVE
    if not archive.is_file():
        raise ConfigError(f"--results {results}: no {ARCHIVE} to restore from "
                          f"(expected {archive})")
    return archive


def _target(results: Path, where: str) -> Path:
    """The file an archived path names, refusing one that would land outside runs/."""
    parts = PurePosixPath(where).parts
    if len(parts) < 2 or parts[0] != "runs" or ".." in parts or PurePosixPath(where).is_absolute():
        raise ConfigError(f"{where!r} in {results / ARCHIVE}: expected a path under runs/")
    return results.joinpath(*parts)


def restore(results: Path) -> Restored:
    """Write the archive's records that ``<results>/runs`` lacks; see the module doc."""
    results = Path(results)
    archive = _archive_of(results)
    stamp = archive.stat().st_mtime
    written = present = unreadable = 0
    for entry in archive_entries(archive):
        target = _target(results, entry.where)
        if target.exists():
            present += 1
            continue
        try:
            data = entry.data()
        except OSError:
            unreadable += 1
            continue
        config = entry.config()
        files = [(target, data)]
        if config is not None:
            files.insert(0, (target.with_name(CONFIG_NAME), config.encode()))
        for path, body in files:  # the record last: its presence means the folder is whole
            atomic_write_bytes(path, body)
            os.utime(path, (stamp, stamp))
        written += 1
    return Restored(written, present, unreadable)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m mabbench.store.restore", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, required=True,
                        help=f"results root holding {ARCHIVE}, e.g. results/reference")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        done = restore(args.results)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # e.g. a results folder that cannot be written
        print(f"error: cannot restore into {args.results / 'runs'} ({error})", file=sys.stderr)
        return 2
    print(f"restored {done.written} records into {args.results / 'runs'} "
          f"({done.present} already there, {done.unreadable} archived as unreadable) "
          f"in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
