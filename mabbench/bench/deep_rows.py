"""``python -m mabbench.bench deep_rows [row ...] [override ...]``: train the
dense model of issue 23's rows of conf/suite/deep.yaml (residual networks and
transformers; or the rows named) as a trial would (early stopping on select)
and print its test score beside a simple comparator: the train majority class
and a logistic regression on the pixels for an image row, an interpolated
bigram (mabbench.reference.ngram) for a next-token row, with perplexity.
One torch thread unless ``runtime.threads=N``. Run once; the numbers go to
docs/datasets.md, never into tests.
"""
from __future__ import annotations

import time

import torch
import yaml
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

import baselines  # noqa: F401  (registers schemas the composed config names)
import mabbench.models  # noqa: F401  (registers the model schemas)
import mabbench.policies  # noqa: F401
from mabbench.config.location import CONF_DIR
from mabbench.models import build_model
from mabbench.reference.ngram import fit_bigram, scores
from mabbench.runtime.process import seed_everything, set_threads
from mabbench.tasks import load_splits
from mabbench.tasks.base import Splits
from mabbench.trial.curve import score
from mabbench.trial.early_stopping import stopper_for
from mabbench.trial.training import train

NAME = "deep_rows"
ROWS = ("resnet_digits", "resnet_mnist5k", "vit_mnist5k", "gpt_fine_food")


def image_comparators(splits: Splits) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression

    flat = {role: getattr(splits, role).inputs[0].flatten(1).numpy() for role in ("train", "test")}
    majority = torch.bincount(splits.train.targets).argmax()
    fitted = LogisticRegression(max_iter=2000).fit(flat["train"], splits.train.targets.numpy())
    return {"majority": (splits.test.targets == majority).double().mean().item(),
            "logistic": float(fitted.score(flat["test"], splits.test.targets.numpy()))}


def language_comparators(splits: Splits) -> dict[str, float]:
    lam, table = fit_bigram(splits.train, splits.select, splits.n_outputs)
    test = scores(table, splits.test)
    return {"bigram_ppl": test["perplexity"], "bigram_acc": test["token_accuracy"],
            "bigram_lam": lam}


def run_row(overrides: list[str]) -> dict:
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        cfg = compose("config", overrides=overrides)
    GlobalHydra.instance().clear()
    set_threads(cfg.runtime.threads or 1)
    seed_everything(cfg.seed)
    splits = load_splits(cfg)
    torch.manual_seed(cfg.seed)
    model = build_model(cfg.model, splits)
    stopper = stopper_for(cfg.task, splits.select)
    start = time.perf_counter()
    train(model, splits.train, cfg.task.train, cfg.task.loss, cfg.seed, stopper)
    model.eval()
    result = {"metric": cfg.task.metric, "train_s": time.perf_counter() - start,
              "epochs": f"{stopper.epochs_run}/{stopper.best_epoch}/{cfg.task.train.epochs}",
              "test": score(model, splits.test, cfg.task.metric, batch_size=256),
              "params": sum(p.numel() for p in model.parameters())}
    if cfg.task.name == "language":
        result["test_ppl"] = score(model, splits.test, "perplexity", batch_size=256)
        return result | language_comparators(splits)
    return result | image_comparators(splits)


def run(args: list[str]) -> None:
    suite = yaml.safe_load((CONF_DIR / "suite" / "deep.yaml").read_text())["rows"]
    chosen = [a for a in args if "=" not in a] or list(ROWS)
    overrides = [a for a in args if "=" in a]
    for row in (r for r in suite if r["name"] in chosen):
        result = run_row([*row["overrides"], *overrides])
        print(row["name"], " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                    for k, v in result.items()), flush=True)
