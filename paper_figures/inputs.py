"""What every output module receives: the loaded store, the options, a notes list."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from paper_figures.load import Store


@dataclass(frozen=True)
class Point:
    """A point of a record a rank table can report; each is chosen without test."""

    about: str
    column: str  # results-table column of a value ``key`` there: ``column.format(key=key)``
    # where a method that does not prune (unpruned, comparators) has no such value, it is
    # read from this column instead (it keeps all of its compute); None: it has one
    not_pruned: str | None = None
    label: str = ""  # the point in a few words, for figure titles


POINTS = {
    "selected": Point("the sparsity level (dense included) with the best select score, "
                      "reported on test", "selected_{key}", label="at the point chosen on select"),
    "target": Point("the target sparsity (pruning.sparsity)", "target_{key}",
                    label="at the target sparsity"),
    "dense": Point("the dense model before pruning", "dense_{key}", label="of the dense model"),
    "macs_0.5": Point("the cut at 50% of the dense MACs (protocol v3's primary endpoint; "
                      "methods that do not prune keep their dense score)",
                      "eq_macs_{key}_0.5", "dense_{key}", label="at 50% of the dense MACs"),
}
# The rank tables' point unless --point says otherwise: protocol v3's primary endpoint
# (equal compute; the v2 default, "selected", ties methods by construction)
DEFAULT_POINT = "macs_0.5"


# Record columns naming the protocol a run followed (docs/protocol.md); the ablation
# varies them on a few datasets, the main tables keep each task's most common.
PROTOCOL_KEYS = ("scope", "reward", "schedule")
PRUNING_KINDS = ("bandit", "baseline")
# Records that are no method: a control cuts with two methods' records
# (mabbench/trial/control.py) and is read only by its own table (control_order.py).
CONTROL_KINDS = ("control",)
# The deep-learning suite's tasks: few rows, each (dataset, model) a table of its own.
DEEP_TASKS = ("image", "text", "reasoning", "language")
# Protocol v3's recovery regimes (``pruning.regime``) re-score a method's cut after
# BatchNorm recalibration or fine-tuning, with the same config otherwise; every table
# but the regimes control (control_regimes.py) reads the cut as made.
MAIN_REGIME = "one_shot"


def _protocol(runs: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Each run's protocol values as one tuple of strings ('' where a record has none)."""
    text = runs[keys].astype(object).where(runs[keys].notna(), "").astype(str)
    return pd.Series(list(map(tuple, text.to_numpy())), index=runs.index, dtype=object)


@dataclass
class Inputs:
    store: Store
    out: Path
    point: str = DEFAULT_POINT
    alpha: float = 0.05
    budget_per_arm: float | None = None  # None: per task, the most common bandit budget
    formats: tuple[str, ...] = ("png", "pdf")  # figure file formats
    claims_exclude: tuple[str, ...] = ()  # development-suite datasets: never in a claim
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        """Something skipped or worth knowing; goes to NOTES.md and stderr."""
        self.notes.append(text)

    @cached_property
    def main_budgets(self) -> dict[str, float]:
        """Per task, the bandit budget (pulls per arm) of the main grid: the one with the
        most records (a tie goes to the larger budget), or ``--budget-per-arm`` for all."""
        runs = self.store.runs
        if len(runs) == 0:
            return {}
        budgets = {}
        for task, group in runs[runs["kind"] == "bandit"].groupby("task", sort=True):
            counts = group["budget_per_arm"].value_counts()
            budgets[task] = (float(self.budget_per_arm) if self.budget_per_arm is not None
                             else float(max(counts.index, key=lambda b: (counts[b], b))))
        return budgets

    @cached_property
    def one_shot_runs(self) -> pd.DataFrame:
        """The store's runs without the recovery regimes' records (``MAIN_REGIME``):
        a fine-tuned cut must not stand in for a method's one-shot cut, nor count twice."""
        runs = self.store.runs
        if "regime" not in runs.columns:
            return runs
        one_shot = runs["regime"] == MAIN_REGIME  # collect gives pre-v3 records one_shot
        if not one_shot.all():
            regimes = ", ".join(sorted(set(runs.loc[~one_shot, "regime"].astype(str))))
            self.note(f"tables other than control_regimes read one-shot cuts: left out "
                      f"{int((~one_shot).sum())} records under {regimes}")
        return runs[one_shot]

    @cached_property
    def main_protocol(self) -> dict[str, tuple]:
        """Per task, the (scope, reward, schedule) most pruning runs used: the main grid's,
        as opposed to an ablation's few (a tie goes to the first in sorted order)."""
        runs = self.one_shot_runs
        if len(runs) == 0:
            return {}
        keys = [k for k in PROTOCOL_KEYS if k in runs.columns]
        found = {}
        for task, group in runs[runs["kind"].isin(PRUNING_KINDS)].groupby("task", sort=True):
            counts = _protocol(group, keys).value_counts(sort=False).sort_index()
            found[task] = counts.idxmax()
        return found

    @cached_property
    def main_runs(self) -> pd.DataFrame:
        """One configuration per (task, dataset, model, method): under the task's main
        protocol (scope, reward, schedule), bandits at their task's budget, and where several
        config hashes remain, the one with most seeds (then the first hash); on the seeds
        every method of its (task, dataset) has."""
        return self._main(paired=True)

    @cached_property
    def main_runs_every_seed(self) -> pd.DataFrame:
        """``main_runs`` with every seed each method has, for a table that shows each
        method's seed count rather than cutting all methods to the shared seeds."""
        return self._main(paired=False)

    def _main(self, paired: bool) -> pd.DataFrame:
        runs = self.one_shot_runs
        if len(runs) == 0:
            return runs
        runs = runs[~runs["kind"].isin(CONTROL_KINDS)]  # never ranked, paired or claimed
        keys = [k for k in PROTOCOL_KEYS if k in runs.columns]
        protocol = _protocol(runs, keys)
        in_main = ((protocol == runs["task"].map(self.main_protocol))
                   | ~runs["kind"].isin(PRUNING_KINDS))  # unpruned, comparators: no protocol
        for row in runs[~in_main][["task", *keys]].drop_duplicates().itertuples(index=False):
            self.note(f"rank tables and curves use each task's main protocol: left out "
                      f"{row.task} runs under {', '.join(map(str, row[1:]))}")
        runs = runs[in_main]
        main_budget = runs["task"].map(self.main_budgets)
        at_budget = (runs["kind"] != "bandit") | (runs["budget_per_arm"] == main_budget)
        runs = runs[at_budget]
        if paired:
            runs = self._paired(runs)
        keys = ["task", "dataset", "model", "policy"]
        seeds = runs.groupby([*keys, "config_hash"]).size().rename("n_seeds").reset_index()
        seeds = seeds.sort_values([*keys, "n_seeds", "config_hash"],
                                  ascending=[True] * len(keys) + [False, True])
        chosen = seeds.drop_duplicates(keys)
        dropped = seeds.drop(chosen.index)
        for row in dropped.itertuples(index=False):
            self.note(f"rank tables and curves use one configuration per method: "
                      f"ignored {row.task}/{row.dataset}/{row.policy} config {row.config_hash}")
        return runs.merge(chosen[[*keys, "config_hash"]], on=[*keys, "config_hash"])

    def _paired(self, runs: pd.DataFrame) -> pd.DataFrame:
        """Per (task, dataset), only the seeds every method there has, so a dataset's
        means compare methods on the same dense models (a grid stopped part-way, or a
        failed trial, leaves some methods with seeds the others lack)."""
        block = ["task", "dataset"]
        per_method = runs.groupby([*block, "policy"])["seed"].agg(frozenset)
        common = per_method.groupby(level=block).agg(lambda sets: frozenset.intersection(*sets))
        shared = runs.set_index(block).index.map(common)
        keep = [seed in seeds for seed, seeds in zip(runs["seed"], shared)]
        dropped = runs[[not k for k in keep]]
        for (task, dataset), group in dropped.groupby(block, sort=True):
            self.note(f"tables use the seeds every method has: left out {task}/{dataset} "
                      f"seeds {sorted(set(group['seed']))} ({len(group)} records)")
        return runs[keep]

    def value(self, key: str = "test") -> str:
        """Column of ``runs`` holding ``key`` at the chosen point, e.g. ``selected_test``."""
        return POINTS[self.point].column.format(key=key)

    def values(self, runs: pd.DataFrame, key: str = "test") -> pd.Series:
        """``key`` at the chosen point for each run; a method that does not prune reads
        the point's ``not_pruned`` column where it lacks the value; NaN where the
        records carry neither."""
        point, column = POINTS[self.point], self.value(key)
        found = runs[column] if column in runs else pd.Series(float("nan"), index=runs.index)
        fallback = point.not_pruned.format(key=key) if point.not_pruned else None
        if fallback is not None and fallback in runs:
            keeps_all = ~runs["kind"].isin(PRUNING_KINDS)
            found = found.where(~keeps_all | found.notna(), runs[fallback])
        return found
