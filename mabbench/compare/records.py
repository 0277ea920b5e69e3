"""The records a report compares: the archive's slice of the suite (read, never
written) and the new method's records, as one paper_figures store.

The new method's records are the ones its jobs just settled (their paths come from
the sweep's outcomes), so older records of an edited policy never mix in. Where
the archive holds a method of the same name (``policy=ucb1 policy.c=1``), the
archived one is shown as ``<name> (archive)``.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mabbench.config.errors import ConfigError
from mabbench.experiments.sweep import Outcome
from mabbench.files.atomic import atomic_write_json
from mabbench.store import collect
from mabbench.store.compact import CONFIG_NAME, Entry, archive_entries
from paper_figures.load import Store, views

SUBJECT_PREFIX = "subject/"  # the new records' paths in the store, apart from the archive's


@dataclass
class Loaded:
    store: Store
    expected: set = field(default_factory=set)  # the archive's (task, dataset, model, seed) jobs
    have: set = field(default_factory=set)  # those the new method has a record of
    renamed: str | None = None  # the archive's method of the subject's name, relabelled


def archive_slice(archive: Path, tasks: tuple[str, ...]) -> Iterator[Entry]:
    """The archive's records of ``tasks``, in path order."""
    if not archive.is_file():
        raise ConfigError(f"archive={archive}: no such file (the committed records, "
                          "results/reference/records.parquet)")
    return archive_entries(archive, tasks)


def subject_entries(outcomes: list[Outcome], results_dir: Path) -> list[Entry]:
    """The records the new method's jobs settled (done, or skipped as done before)."""
    found = []
    for outcome in outcomes:
        if outcome.status == "failed" or not outcome.path:
            continue
        path = Path(outcome.path)
        try:
            where = path.resolve().relative_to(results_dir.resolve()).as_posix()
        except ValueError:
            where = path.as_posix()
        config = path.with_name(CONFIG_NAME)
        found.append(Entry(SUBJECT_PREFIX + where, path.read_bytes,
                           lambda c=config: c.read_text() if c.is_file() else None))
    return found


def archive_table(archive: Path, tasks: tuple[str, ...], cache: Path) -> tuple[pd.DataFrame,
                                                                              list[str]]:
    """``collect`` of the archive's slice, kept in ``cache`` under a digest of the archive's
    bytes, the tasks and collect's code (reading 5,000 records' YAML takes ~20 s; the
    archive changes only when it is re-committed)."""
    key = hashlib.sha256(archive.read_bytes() + ",".join(tasks).encode()
                         + Path(collect.__file__).read_bytes()).hexdigest()[:16]
    table_path, problems_path = cache / f"archive-{key}.parquet", cache / f"archive-{key}.json"
    if table_path.is_file() and problems_path.is_file():
        return pd.read_parquet(table_path), json.loads(problems_path.read_text())
    table, problems = collect.collect_entries(archive_slice(archive, tasks))
    collect.write(table, table_path)
    atomic_write_json(problems_path, problems)
    return table, problems


def load(archive: Path, tasks: tuple[str, ...], subject: str, outcomes: list[Outcome],
         results_dir: Path) -> Loaded:
    """One store of the archive's slice and the subject's records; datasets the subject
    has no record of are left out of everyone's tables (``expected - have`` says so)."""
    table, problems = archive_table(archive, tasks, results_dir / "cache")
    mine, own_problems = collect.collect_entries(subject_entries(outcomes, results_dir))
    renamed = None
    if len(table) and (table["policy"] == subject).any():
        renamed = f"{subject} (archive)"
        table.loc[table["policy"] == subject, "policy"] = renamed
    expected, have = _jobs(table), _jobs(mine)
    if len(mine):  # rank on the datasets the subject has (Friedman needs every method)
        kept = pd.MultiIndex.from_frame(table[["task", "dataset"]]).isin(
            list({(task, dataset) for task, dataset, _, _ in have}))
        table = table[kept]
    both = pd.concat([table, mine], ignore_index=True) if len(mine) else mine
    runs, curve = views(both)
    return Loaded(Store(runs, curve, [*problems, *own_problems], both), expected, have, renamed)


def _jobs(table: pd.DataFrame) -> set[tuple]:
    """(task, dataset, model, seed) of the pruning records in ``table``."""
    if len(table) == 0:
        return set()
    pruned = table[table["kind"].isin(("bandit", "baseline"))]
    keys = pruned[["task", "dataset", "model", "seed"]].drop_duplicates()
    return set(map(tuple, keys.astype({"seed": int}).to_numpy().tolist()))
