"""Put an archive's records back as per-trial folders, so a grid resumes from it.

``python -m mabbench.store.restore --results results/reference`` writes every record of
``results/reference/records.parquet`` that ``runs/`` lacks back to its folder
(``result.json`` and the ``config.yaml`` beside it). A fresh clone then resumes the
reference grid where the archive ends instead of re-running every trial, and the
folders of a finished grid can be deleted: this command brings them back.

A usable record already in ``runs/`` is never touched, so a newer record wins over
the archived one; one that is not a usable record (truncated, edited) is moved aside
as ``result.json.corrupt-<time>`` and repaired from the archive. Restored files take
the archive's modification time (staleness is decided by content, see staleness.py,
but tools that sort by time still see them as the archive's). Records are written as the archive stores them (compact JSON, the
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
from mabbench.files.integrity import quarantine
from mabbench.store.archive import ARCHIVE, CONFIG_NAME, archive_entries
from mabbench.store.records import problem


@dataclass(frozen=True)
class Restored:
    written: int = 0  # records written back
    present: int = 0  # usable records runs/ already held (left as they are)
    repaired: int = 0  # damaged records in runs/ moved aside and written back
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
    written = present = repaired = unreadable = 0
    for entry in archive_entries(archive):
        target = _target(results, entry.where)
        try:
            data = entry.data()
        except OSError:
            data = None
        exists = target.exists()
        damaged = _damaged(target) if exists else None
        if exists and (damaged is None or problem(data) is not None):
            present += 1  # usable, or the archive has nothing better: left as it is
            continue
        if data is None:
            unreadable += 1
            continue
        if exists:
            quarantine(target, damaged)
            repaired += 1
        else:
            written += 1
        config, config_path = entry.config(), target.with_name(CONFIG_NAME)
        files = [(target, data)]
        if config is not None and not config_path.exists():
            files.insert(0, (config_path, config.encode()))
        for path, body in files:  # the record last: its presence means the folder is whole
            atomic_write_bytes(path, body)
            os.utime(path, (stamp, stamp))
    return Restored(written, present, repaired, unreadable)


def _damaged(target: Path) -> str | None:
    """Why the record at ``target`` is not usable, or None."""
    try:
        return problem(target.read_bytes())
    except OSError as error:
        return f"unreadable ({error.strerror})"


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
          f"({done.present} already there, {done.repaired} damaged ones repaired, "
          f"{done.unreadable} archived as unreadable) "
          f"in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
