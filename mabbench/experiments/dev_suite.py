"""Choose the defaults on the development suite, by select-split scores only.

``python -m mabbench.experiments.dev_suite [--results results/dev_suite]`` runs every
dataset of conf/dev_suite.yaml x reward x schedule x scope x seed (one policy)
and prints, per alternative, the mean over datasets of the seed-averaged
*select* metric: the area under the select curve divided by its sparsity
range (the mean select score over the curve) and the select score at the
target sparsity. Test scores are never read. Re-running resumes.
"""
from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import pandas as pd
import yaml

from mabbench.config.location import CONF_DIR
from mabbench.trial.run import run_trial

SUITE = CONF_DIR / "dev_suite.yaml"


def alternatives(suite: dict, multi_layer: bool):
    """(reward, schedule, scope) triples worth running on a model."""
    for reward, schedule, scope in itertools.product(suite["rewards"], suite["schedules"],
                                                     suite["scopes"]):
        if not multi_layer and (schedule == "sequential" or scope == "global"):
            continue  # identical to one_shot / layer with a single prunable layer
        if schedule == "sequential" and scope == "global":
            continue  # sequential explores layer by layer
        yield reward, schedule, scope


def run(results: Path) -> pd.DataFrame:
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    suite = yaml.safe_load(SUITE.read_text())
    records = []
    for task, datasets in suite["datasets"].items():
        for dataset in datasets:
            multi_layer = task != "tabular"
            for (reward, schedule, scope), seed in itertools.product(
                    alternatives(suite, multi_layer), suite["seeds"]):
                overrides = [f"task={task}", f"dataset={dataset}", f"policy={suite['policy']}",
                             f"pruning.reward.transform={reward}",
                             f"pruning.schedule={schedule}", f"pruning.scope={scope}",
                             f"seed={seed}", f"runtime.results_dir={results}",
                             *suite["overrides"]]
                GlobalHydra.instance().clear()
                with initialize_config_dir(str(SUITE.parent), version_base="1.3"):
                    cfg = compose("config", overrides=overrides)
                record = run_trial(cfg)
                if record.get("status") == "failed":  # on record in failed.json; left out
                    print(f"failed, left out: {' '.join(overrides)}: {record.get('reason')}")
                    continue
                if "curve" not in record:  # skipped: read the stored record
                    record = json.loads(Path(record["path"]).read_text())
                points = [record["dense"], *record["curve"]]
                span = max(p["sparsity"] for p in points) or 1.0
                records.append({"dataset": dataset, "reward": reward, "schedule": schedule,
                                "scope": scope, "seed": seed,
                                "select_auc": record["auc"]["select"] / span,
                                "select_target": record["target"]["select"],
                                "select_dense": record["dense"]["select"]})
    return pd.DataFrame(records)


def table(frame: pd.DataFrame) -> str:
    """Markdown: per (reward, schedule, scope), mean over datasets of seed means,
    and the mean rank over datasets by select AUC (1 = best)."""
    keys = ["reward", "schedule", "scope"]
    per_dataset = frame.groupby(["dataset", *keys], as_index=False)[
        ["select_auc", "select_target"]].mean()
    per_dataset["rank"] = per_dataset.groupby("dataset")["select_auc"].rank(ascending=False)
    summary = per_dataset.groupby(keys, as_index=False).agg(
        datasets=("dataset", "nunique"), select_auc=("select_auc", "mean"),
        select_at_target=("select_target", "mean"), mean_rank=("rank", "mean"))
    summary = summary.sort_values(["datasets", "select_auc"], ascending=False)
    lines = ["| " + " | ".join(summary.columns) + " |", "|" + "---|" * len(summary.columns)]
    for row in summary.itertuples(index=False):
        lines.append("| " + " | ".join(f"{v:.4f}" if isinstance(v, float) else str(v)
                                       for v in row) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=Path("results/dev_suite"))
    args = parser.parse_args()
    frame = run(args.results)
    frame.to_csv(args.results / "dev_suite.csv", index=False)
    print(table(frame))
    for task in ("tabular", "image"):
        datasets = yaml.safe_load(SUITE.read_text())["datasets"][task]
        print(f"\n{task} ({', '.join(datasets)}):")
        print(table(frame[frame["dataset"].isin(datasets)]))


if __name__ == "__main__":
    main()
