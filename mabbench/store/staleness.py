"""Whether an archive and the per-trial folders beside it say the same, by content.

Modification times cannot decide it: a record written while ``compact`` runs is older
than the archive yet not in it, and a skewed clock hides or fakes a difference. So
records are matched by path (their identity in the store) and compared by a digest
of what they say (``records.content_key``), whichever form is read.
"""
from __future__ import annotations

from pathlib import Path

from mabbench.config.errors import ConfigError
from mabbench.store.archive import ARCHIVE, Entry, archive_entries, archive_path, folder_entries
from mabbench.store.records import content_key


def _keys(items) -> dict[str, str]:
    def data(entry: Entry) -> bytes | None:
        try:
            return entry.data()
        except OSError:
            return None
    return {entry.where: content_key(data(entry)) for entry in items}


def stale(results: Path) -> str | None:
    """Why what ``--results`` reads misses records stored beside it, or None: an archive
    read while ``runs/`` beside it holds records it lacks or holds differently, or
    ``runs/`` read while the archive beside it holds records the folders lack."""
    results = Path(results)
    archive = archive_path(results)
    root = archive.parent if archive is not None else results
    beside = root / ARCHIVE
    if archive is None and not ((root / "runs").is_dir() and beside.is_file()):
        return None
    if archive is not None and not (root / "runs").is_dir():
        return None
    try:
        archived = _keys(archive_entries(archive if archive is not None else beside))
    except ConfigError as error:
        return str(error)
    folders = _keys(folder_entries(root))
    if archive is not None:
        missing = sum(where not in archived for where in folders)
        differ = sum(where in archived and archived[where] != key for where, key in folders.items())
        if not missing and not differ:
            return None
        return (f"{archive} lacks {missing} and differs on {differ} of the {len(folders)} "
                f"record(s) in {root / 'runs'}; rewrite it with "
                f"python -m mabbench.store.compact --results {root}")
    lacking = sum(where not in folders for where in archived)
    if not lacking:
        return None
    return (f"{beside} holds {lacking} record(s) that {root / 'runs'} lacks, and only runs/ "
            f"is read; bring them back with python -m mabbench.store.restore --results {root}")
