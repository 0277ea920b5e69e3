"""Standing control: allocation across layers x order within a layer.

A pruning method decides two things: how many units each layer loses (allocation) and
which units within a layer go first (order). The control fills one method's per-layer
counts with another method's within-layer order; the diagonal is the methods
themselves. Cell: mean test metric at 50% of the dense MACs over the deep rows and
seeds. A cut cannot be scored without the model, so the cells are control records
(kind ``control``, mabbench/trial/control.py; the reference grid's ``controls`` part
writes them after its deep part): ``control_allocation`` and ``control_order`` name the
methods whose counts and order the cut used. A store without them (the v2 archive,
whose records hold no per-layer counts at a MAC fraction) gets a table saying it
awaits them.
"""
from __future__ import annotations

from pathlib import Path

from paper_figures.inputs import DEEP_TASKS, Inputs
from paper_figures.paired_tests import paired_p
from paper_figures.render import fmt, fmt_p, write_table

NAME = "control_order"
ALLOCATION, ORDER = "control_allocation", "control_order"
ENDPOINT = "eq_macs_test_0.5"
TITLE = "Control: allocation across layers x order within a layer (deep rows, 50% MACs)"
CORNER = "allocation \\ order"
BLOCK = ("task", "dataset", "model", "seed")  # one paired observation of every cell


def make(inputs: Inputs) -> list[Path]:
    runs = inputs.store.runs
    missing = [c for c in (ALLOCATION, ORDER, ENDPOINT) if c not in runs]
    if len(runs) == 0 or missing:
        return _awaiting(inputs, f"no column {', '.join(missing or [ALLOCATION])}")
    deep = runs[runs["task"].isin(DEEP_TASKS)].dropna(subset=[ALLOCATION, ORDER, ENDPOINT])
    if len(deep) == 0:  # control records only on other rows, or none reaching 50% MACs
        return _awaiting(inputs, f"no control record with {ENDPOINT} on a deep row")
    deep, dropped = complete_blocks(deep)
    if dropped:
        inputs.note(f"{NAME}: left out {dropped} (row, seed) blocks lacking a cell")
    if len(deep) == 0:
        return _awaiting(inputs, "no (row, seed) with every allocation x order cell")
    cells = deep.groupby([ALLOCATION, ORDER])[ENDPOINT].mean().unstack(ORDER)
    orders = list(cells.columns)
    body = [[allocation, *(fmt(row.get(o)) for o in orders)]
            for allocation, row in cells.iterrows()]
    rows = deep[list(BLOCK[:-1])].drop_duplicates()
    seeds = sorted(set(deep["seed"]))
    spread = (f"Spread of the means: across orders with one allocation (a row) at most "
              f"{fmt(_range(cells, axis=1).max())}; across allocations with one order (a "
              f"column) up to {fmt(_range(cells, axis=0).max())}.")
    return write_table(
        inputs.out, NAME, TITLE,
        f"Mean test metric at 50% of the dense MACs over {len(rows)} deep rows x seeds "
        f"{', '.join(map(str, seeds))} (each (row, seed) with every cell: "
        f"{len(deep.drop_duplicates(list(BLOCK)))}). Row: the "
        "method whose per-layer counts the cut keeps; column: the method whose order "
        "within each layer fills them; the diagonal is each method itself. A row that "
        "varies little across columns says allocation, not order, decides the outcome.",
        [CORNER, *orders], body, [spread, *which_decides(deep)])


def complete_blocks(deep):
    """The (row, seed) blocks holding every allocation x order cell the records have
    anywhere, and how many did not: a mean over different blocks per cell would
    compare rows, not methods."""
    cells = deep.groupby(list(BLOCK))[[ALLOCATION, ORDER]].apply(
        lambda g: len(set(zip(g[ALLOCATION], g[ORDER]))))
    wanted = len(set(zip(deep[ALLOCATION], deep[ORDER])))
    full = cells[cells == wanted].index
    keep = deep.set_index(list(BLOCK)).index.isin(full)
    return deep[keep], int((cells != wanted).sum())


def which_decides(deep) -> list[str]:
    """Per deep row (seeds averaged), the spread of its allocation means (orders averaged)
    against the spread of its order means (allocations averaged); the rows are the
    observations of a one-sided Wilcoxon signed-rank test that allocation spreads more."""
    row = list(BLOCK[:-1])
    cells = deep.groupby([*row, ALLOCATION, ORDER])[ENDPOINT].mean()
    by_allocation = cells.groupby([*row, ALLOCATION]).mean().groupby(row).agg(["max", "min"])
    by_order = cells.groupby([*row, ORDER]).mean().groupby(row).agg(["max", "min"])
    allocation = by_allocation["max"] - by_allocation["min"]
    order = (by_order["max"] - by_order["min"]).reindex(allocation.index)
    if len(allocation) == 0:
        return []
    p_more, _ = paired_p((allocation - order).to_numpy())
    return [(f"Which decides, per deep row (seeds averaged): the spread of the allocation "
             f"means (orders averaged) is larger than that of the order means (allocations "
             f"averaged) on {int((allocation > order).sum())} of {len(allocation)} rows; "
             f"mean spread {allocation.mean():.4f} against {order.mean():.4f}; one-sided "
             f"Wilcoxon signed-rank p {fmt_p(p_more)}.")]


def _range(cells, axis: int):
    return cells.max(axis=axis) - cells.min(axis=axis)


def _awaiting(inputs: Inputs, why: str) -> list[Path]:
    why = f"awaiting v3 records ({why})"
    inputs.note(f"{NAME}: {why}")
    return write_table(inputs.out, NAME, TITLE, "Rows: whose per-layer counts; columns: "
                       "whose within-layer order.", [CORNER, "cells"], [[why, "-"]])
