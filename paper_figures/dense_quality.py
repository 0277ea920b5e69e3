"""Dense quality: the networks being pruned beside the classical comparators.

Per (task, dataset, network): the dense network's test metric (the model every
method prunes, before pruning) and each comparator's test metric
(conf/reference/, fitted on the same data roles), mean over the seeds both
have, so a reader sees whether the networks are competitive. Written as
``dense_quality.md`` / ``.tex`` / ``.csv``.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from paper_figures.inputs import Inputs
from paper_figures.render import fmt, write_table

NAME = "dense_quality"
STEM = "dense_quality"
NETWORK_KINDS = ("bandit", "baseline", "unpruned")
KEYS = ["task", "dataset"]


def dense_scores(runs: pd.DataFrame, inputs: Inputs) -> pd.DataFrame:
    """One row per (task, dataset, model, seed): the dense model's test score. Every
    method of a (dataset, seed) prunes the same dense model; where several dense
    models exist (another training config), the one with the most records is kept."""
    networks = runs[runs["kind"].isin(NETWORK_KINDS)].dropna(subset=["dense_test"])
    if "dense_hash" not in networks:
        networks = networks.assign(dense_hash="")
    networks = networks.assign(dense_hash=networks["dense_hash"].fillna("").astype(str))
    counts = (networks.groupby([*KEYS, "model", "dense_hash"]).size().rename("n").reset_index()
              .sort_values([*KEYS, "model", "n", "dense_hash"],
                           ascending=[True, True, True, False, True]))
    chosen = counts.drop_duplicates([*KEYS, "model"])
    for row in counts.drop(chosen.index).itertuples(index=False):
        inputs.note(f"{NAME}: {row.task}/{row.dataset}/{row.model}: ignored dense model "
                    f"{row.dense_hash} ({row.n} records); kept the most common one")
    networks = networks.merge(chosen[[*KEYS, "model", "dense_hash"]])
    return (networks.groupby([*KEYS, "model", "seed"], sort=True)["dense_test"].first()
            .reset_index())


def comparator_scores(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (task, dataset, comparator, seed): its test score."""
    fitted = runs[runs["kind"] == "reference"].dropna(subset=["dense_test"])
    return (fitted.groupby([*KEYS, "policy", "seed"], sort=True)["dense_test"].first()
            .reset_index())


def quality_rows(runs: pd.DataFrame, inputs: Inputs) -> tuple[list[str], list[dict]]:
    """(comparator names, one dict per network row) with means over shared seeds."""
    dense = dense_scores(runs, inputs)
    fitted = comparator_scores(runs)
    names = sorted(fitted["policy"].unique()) if len(fitted) else []
    metric = runs.drop_duplicates(KEYS).set_index(KEYS)["metric"]
    rows = []
    for (task, dataset, model), group in dense.groupby([*KEYS, "model"], sort=True):
        mine = fitted[(fitted["task"] == task) & (fitted["dataset"] == dataset)]
        own = set(group["seed"])  # with no comparator, the shared seeds are the network's
        shared = own.intersection(*(set(s) for _, s in mine.groupby("policy")["seed"]))
        if not shared:
            inputs.note(f"{NAME}: {task}/{dataset}/{model}: the network and the comparators "
                        "share no seed; each is averaged over its own seeds")
        network = group[group["seed"].isin(shared or own)]["dense_test"]
        same = mine[mine["seed"].isin(shared)] if shared else mine
        comparators = same.groupby("policy")["dense_test"].mean().to_dict()
        best = max(comparators, key=lambda name: (comparators[name], name)) if comparators else None
        rows.append({"task": task, "dataset": dataset, "model": model,
                     "metric": metric.get((task, dataset), ""), "seeds": len(network),
                     "network": network.mean(), "network_sd": network.std(ddof=1),
                     "comparators": comparators, "best": best,
                     # rounded so that float noise reads as a tie (0.0000, not -0.0000)
                     "gap": round(network.mean() - comparators[best], 12) + 0.0 if best else None})
    return names, rows


def write_csv(out: Path, header: list[str], rows: list[list[str]]) -> Path:
    """The table's cells as CSV (the same fixed formatting as the markdown)."""
    path = out / f"{STEM}.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def make(inputs: Inputs) -> list[Path]:
    runs = inputs.main_runs
    if len(runs) == 0 or "dense_test" not in runs:
        inputs.note(f"{NAME}: no records; skipped")
        return []
    names, quality = quality_rows(runs, inputs)
    if not quality:
        inputs.note(f"{NAME}: no pruning records (no dense network); skipped")
        return []
    header = ["task", "dataset", "network", "metric", "seeds", "network test", "sd",
              *names, "best comparator", "network - best"]
    rows = [[q["task"], q["dataset"], q["model"], q["metric"], str(q["seeds"]),
             fmt(q["network"]), fmt(q["network_sd"]),
             *(fmt(q["comparators"].get(name)) for name in names),
             q["best"] or "n/a", fmt(q["gap"])] for q in quality]
    compared = [q for q in quality if q["gap"] is not None]
    footer = []
    if compared:
        level = sum(q["gap"] >= 0 for q in compared)
        close = sum(q["gap"] >= -0.01 for q in compared)
        gaps = pd.Series([q["gap"] for q in compared])
        footer.append(f"The dense network matches or beats the best comparator on {level} of "
                      f"{len(compared)} rows with comparators, and is within 0.01 of it on "
                      f"{close}; median gap {fmt(gaps.median())}.")
    written = write_table(
        inputs.out, STEM, "Dense networks beside the classical comparators",
        "Test metric of the dense network every method prunes (before pruning) and of each "
        "classical comparator fitted on the same data roles (hyper-parameters chosen on "
        "select), mean over the seeds both have; sd is the network's standard deviation over "
        "seeds. The best comparator is the one with the highest mean test score, so the gap "
        "errs against the network. n/a: no comparator for this task.", header, rows, footer)
    return [*written, write_csv(inputs.out, header, rows)]
