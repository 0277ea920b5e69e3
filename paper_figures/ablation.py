"""The protocol ablation: reward x schedule (x scope) on the datasets that vary it.

The reference grid's ``ablation`` part re-runs a few bandit policies on a few
datasets under other rewards, schedules and scopes (conf/experiment/reference.yaml).
Which datasets those are is read from the records, not named here: a dataset
whose pruning runs (bandits at their task's main budget) follow more than one
(reward, schedule, scope) is an ablation dataset. The cells are the combinations
found there; each cell holds the policies present in every cell, so the cells
differ by protocol only. Per cell, the mean test metric over its trials at the
selected point, at the target sparsity and, where the records carry it, at half
the dense model's MACs. Rows in order of the target column, best first (ties:
the selected column, then the names). Written as ``ablation.md`` / ``.tex``.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from paper_figures.inputs import PRUNING_KINDS, Inputs
from paper_figures.render import fmt, write_table

NAME = "ablation"
CELL = ["reward", "schedule", "scope"]
# The matched-compute column: the test metric at this fraction of the dense MACs
# (record "at_macs", collected as at_macs_<fraction>).
MACS_FRACTION = "0.5"


def pruning_runs(inputs: Inputs) -> pd.DataFrame:
    """Pruning runs with their protocol as text, bandits at their task's main budget."""
    runs = inputs.store.runs
    if len(runs) == 0 or not set(CELL) <= set(runs.columns):
        return pd.DataFrame()
    runs = runs[runs["kind"].isin(PRUNING_KINDS)]
    main_budget = runs["task"].map(inputs.main_budgets)
    runs = runs[(runs["kind"] != "bandit") | (runs["budget_per_arm"] == main_budget)]
    text = runs[CELL].astype(object).where(runs[CELL].notna(), "").astype(str)
    return runs.assign(**{key: text[key] for key in CELL})


def ablation_runs(inputs: Inputs) -> pd.DataFrame:
    """The runs that make up the cells: on the datasets with more than one protocol,
    of the policies every cell has, one configuration per (cell, dataset, policy).
    Empty, with a note saying why, where there is no ablation."""
    runs = pruning_runs(inputs)
    block = ["task", "dataset"]
    if len(runs):
        protocols = runs.drop_duplicates([*block, *CELL]).groupby(block).size()
        varied = protocols[protocols > 1].index
        runs = runs[pd.MultiIndex.from_frame(runs[block]).isin(varied)]
    if len(runs) == 0:
        inputs.note(f"{NAME}: no dataset has pruning runs under more than one "
                    f"({', '.join(CELL)}); skipped")
        return runs
    shared = frozenset.intersection(*runs.groupby(CELL)["policy"].agg(frozenset))
    left = set(runs["policy"]) - shared
    if left:
        inputs.note(f"{NAME}: kept the policies run under every protocol "
                    f"({', '.join(sorted(shared)) or 'none'}); left out {len(left)} other "
                    f"{'policy' if len(left) == 1 else 'policies'}")
    if not shared:
        inputs.note(f"{NAME}: no policy was run under every protocol; skipped")
        return runs.iloc[:0]
    runs = runs[runs["policy"].isin(shared)]
    keys = [*CELL, *block, "policy"]
    configs = (runs.groupby([*keys, "config_hash"]).size().rename("n").reset_index()
               .sort_values([*keys, "n", "config_hash"],
                            ascending=[True] * len(keys) + [False, True]))
    chosen = configs.drop_duplicates(keys)
    for row in configs.drop(chosen.index).itertuples(index=False):
        inputs.note(f"{NAME}: ignored {row.task}/{row.dataset}/{row.policy} config "
                    f"{row.config_hash} ({row.n} records); kept the one with most seeds")
    return runs.merge(chosen[[*keys, "config_hash"]], on=[*keys, "config_hash"])


def cell_means(runs: pd.DataFrame) -> pd.DataFrame:
    """Per cell: trials and mean test metric at each reported point, best first."""
    macs = f"at_macs_{MACS_FRACTION}"
    values = {"selected": "selected_test", "target": "target_test"}
    if macs in runs:
        values["macs"] = macs
    # a trial without a value (its curve stops short of the MACs) would leave a mean
    # over fewer trials than the cell claims: n/a instead
    means = runs.groupby(CELL).agg(
        trials=("seed", "size"),
        **{name: (column, lambda s: s.mean() if s.notna().all() else float("nan"))
           for name, column in values.items()}).reset_index()
    order = means.assign(**{name: means[name].round(4) for name in values})
    order = order.sort_values(["target", "selected", *CELL],
                              ascending=[False, False, True, True, True], kind="stable")
    return means.loc[order.index].reset_index(drop=True)


def what_was_run(inputs: Inputs, runs: pd.DataFrame) -> str:
    """One line: the datasets, policies, seeds and bandit budget behind every cell."""
    def listed(values) -> str:
        return ", ".join(map(str, sorted(set(values))))

    budgets = listed(f"{inputs.main_budgets[task]:g}" for task in runs["task"])
    return (f"Datasets: {listed(runs['task'] + '/' + runs['dataset'])}; policies: "
            f"{listed(runs['policy'])}; seeds: {listed(runs['seed'])}; bandits at {budgets} "
            "pulls per arm.")


def make(inputs: Inputs) -> list[Path]:
    runs = ablation_runs(inputs)
    if len(runs) == 0:
        return []
    means = cell_means(runs)
    targets = runs["target_sparsity"].dropna().unique()
    target = f"at the target {targets[0] * 100:g}%" if len(targets) == 1 else "at the target"
    header = ["reward", "schedule (scope)", "trials", "at the selected point", target]
    if "macs" in means:
        header.append(f"at {MACS_FRACTION} of the dense MACs")
    rows = [[m.reward, f"{m.schedule} ({m.scope})", str(m.trials), fmt(m.selected),
             fmt(m.target), *([fmt(m.macs)] if "macs" in means else [])]
            for m in means.itertuples(index=False)]
    metrics = ", ".join(sorted(runs["metric"].unique()))
    return write_table(
        inputs.out, NAME, "The protocol ablation: reward x schedule (scope)",
        f"Mean test {metrics} over each cell's trials (datasets x policies x seeds), at the "
        "point chosen on select (the dense model a candidate), at the target sparsity, and "
        "at a fixed fraction of the dense model's MACs. The cells are the protocols found on "
        "the datasets that vary them, with the policies run under every one; rows ordered by "
        "the target column, best first.", header, rows, [what_was_run(inputs, runs)])
