"""The figures' two views of the one results table (mabbench.store.collect).

Every figure reads the table ``python -m mabbench.store.collect`` writes (documented
in docs/results_table.md); this module only reshapes it: ``curve`` keeps its
level rows, ``runs`` puts each trial's dense / target / selected levels side by
side as ``<point>_<key>`` columns.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mabbench.config.errors import ConfigError
from mabbench.store.collect import IDENTITY, POINTS, check, collect, level_columns, upgraded  # noqa: F401  (the record rules, re-exported)
from mabbench.store.staleness import stale


@dataclass
class Store:
    """``runs``: one row per record (identity, cost, the points' values as
    ``<point>_<key>``); ``curve``: one row per (record, sparsity level), the
    dense model included at sparsity 0; ``table``: the collect table itself;
    ``problems``: 'path: why' per skipped file."""

    runs: pd.DataFrame
    curve: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)


def views(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(runs, curve) from a collect table."""
    if len(table) == 0:
        return pd.DataFrame(), pd.DataFrame()
    levels = [c for c in level_columns(table) if table[c].dtype.kind in "fiub"]
    curve = table[[*IDENTITY, "budget_per_arm", *levels]].reset_index(drop=True)
    trial = [c for c in table.columns
             if c not in levels and not c.startswith(("is_", "cfg."))]
    runs = table.loc[table["is_dense"], trial].set_index("path", drop=False)
    for point in POINTS:
        chosen = table.loc[table[f"is_{point}"], ["path", *levels]].drop_duplicates("path")
        chosen = chosen.set_index("path").add_prefix(f"{point}_")
        runs = runs.join(chosen)
    # a point no level matches (a record whose target lies off its curve) stays NaN;
    # copy() consolidates the joins' column blocks (pandas warned of a fragmented frame
    # at every later column added, e.g. in rank_tables)
    return runs.reset_index(drop=True).copy(), curve


def load_store(root: Path) -> Store:
    """Every record under ``root`` (``runs/**/result.json``, or ``records.parquet``; ``root``
    may also be the archive itself), in sorted path order."""
    warning = stale(Path(root))
    if warning is not None:
        print(f"warning: {warning}", file=sys.stderr)
    try:
        table, problems = collect(Path(root))
    except ConfigError as error:
        raise FileNotFoundError(str(error)) from None
    runs, curve = views(table)
    return Store(runs, curve, problems, table)
