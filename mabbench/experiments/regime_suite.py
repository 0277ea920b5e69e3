"""Protocol v3 on the development suite: every method x regime (conf/dev_suite.yaml,
``regimes``) on its multi-layer image rows, seeds as the suite's.

``python -m mabbench.experiments.regime_suite [--results results/dev_suite] [--model vgg]``
runs what is missing (resumable; the three regimes of a method share one ranking
in the process) and prints, per row: each method's metric at 50% of the dense
MACs under each regime and its compression endpoint (the smallest MAC fraction
whose select score is within delta of dense, and the test drop there), on
``--role select`` (what chose the defaults) or ``test`` (reported, no claim);
and, on select, the fine-tuned endpoints' mean select score by epoch.
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


def run(results: Path, models: list[str] | None) -> pd.DataFrame:
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    suite = yaml.safe_load(SUITE.read_text())
    part = suite["regimes"]
    rows = []
    for row, seed, policy, regime in itertools.product(
            part["rows"], suite["seeds"], part["policies"], part["regimes"]):
        if models and row["model"] not in models:
            continue
        overrides = ["task=image", f"dataset={row['dataset']}", f"model={row['model']}",
                     f"policy={policy}", f"pruning.regime={regime}", f"seed={seed}",
                     f"runtime.results_dir={results}", *suite["overrides"],
                     *part.get("overrides", ())]
        GlobalHydra.instance().clear()
        with initialize_config_dir(str(SUITE.parent), version_base="1.3"):
            cfg = compose("config", overrides=overrides)
        done = run_trial(cfg)
        if done.get("status") == "failed":
            print(f"failed, left out: {' '.join(overrides)}: {done.get('reason')}")
            continue
        record = json.loads(Path(done["path"]).read_text())
        macs = record["endpoints"]["macs"]
        half = macs["points"].get("0.5") or {}
        rows.append({"model": row["model"], "policy": policy, "regime": regime, "seed": seed,
                     "select_0.5": half.get("select"), "test_0.5": half.get("test"),
                     "dense_select": record["dense"]["select"],
                     "dense_test": record["dense"]["test"],
                     "compression": macs["compression"]["fraction"],
                     "compression_test_drop": macs["compression"]["test_drop"],
                     "select_by_epoch": json.dumps([p["recovery"].get("select_by_epoch")
                                                    for p in macs["points"].values()
                                                    if p and "select_by_epoch" in p["recovery"]])})
    return pd.DataFrame(rows)


def tables(frame: pd.DataFrame, role: str) -> str:
    """Markdown per model: policy x regime means over seeds of the metric at 50%
    MACs, then the compression endpoint (fraction; test drop only on ``test``)."""
    out = []
    for model, part in frame.groupby("model"):
        at_half = part.pivot_table(index="policy", columns="regime", values=f"{role}_0.5",
                                   aggfunc="mean")
        comp = part.groupby(["policy", "regime"])[["compression", "compression_test_drop"]].mean()
        dense = part[f"dense_{role}"].mean()
        out.append(f"\n{model} ({role}; dense {dense:.3f}; seeds {sorted(part.seed.unique())})")
        out.append("| method | " + " | ".join(f"{r} @50% MACs" for r in at_half.columns)
                   + " | " + " | ".join(f"{r} compression" for r in at_half.columns) + " |")
        out.append("|---" * (1 + 2 * len(at_half.columns)) + "|")
        for policy, values in at_half.iterrows():
            cells = [f"{v:.3f}" for v in values]
            for regime in at_half.columns:
                fraction, drop = comp.loc[(policy, regime)]
                cells.append(f"{fraction:.2f}" + (f" (drop {drop:+.3f})" if role == "test" else ""))
            out.append(f"| {policy} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def epochs_table(frame: pd.DataFrame) -> str:
    """Mean select score of the fine-tuned MAC endpoints after each epoch (0: as cut)."""
    tuned = frame[frame.regime == "finetune"]
    out = []
    for model, part in tuned.groupby("model"):
        curves = [c for cell in part.select_by_epoch for c in json.loads(cell)]
        means = pd.DataFrame(curves).mean()
        out.append(f"{model}: " + ", ".join(f"epoch {e}: {v:.4f}" for e, v in means.items()))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=Path("results/dev_suite"))
    parser.add_argument("--model", action="append", help="only these models (repeatable)")
    parser.add_argument("--role", choices=("select", "test"), default="select")
    args = parser.parse_args()
    frame = run(args.results, args.model)
    name = "regimes" + "".join(f"_{m}" for m in args.model or ()) + ".csv"
    frame.to_csv(args.results / name, index=False)
    print(tables(frame, args.role))
    if args.role == "select":
        print("\nfine-tuning, mean select by epoch:\n" + epochs_table(frame))


if __name__ == "__main__":
    main()
