"""``python -m mabbench.bench dense [override ...]``: train the dense model of
every task's offline default (every conf/task/*.yaml, so a new task family
appears here without an edit) and print its test metric, a trivial
predictor's (majority class / train mean), the epochs trained (with early
stopping on select: epochs run, best epoch and the cap) and the seconds taken.

Extra arguments are Hydra overrides applied to every task, e.g.
``task.train.epochs=5 seed=1``. Runs on CPU with one torch thread unless
``runtime.threads=N`` is given: these models are small, and on a shared
machine more threads mostly wait on each other.
"""
from __future__ import annotations

import time

import torch
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

import baselines  # noqa: F401  (registers schemas the composed config names)
import mabbench.models  # noqa: F401
import mabbench.policies  # noqa: F401
from mabbench.config.location import CONF_DIR
from mabbench.models import build_model
from mabbench.runtime.process import seed_everything, set_threads
from mabbench.tasks import load_splits
from mabbench.tasks.base import Splits
from mabbench.tasks.objectives import METRICS
from mabbench.trial.curve import score
from mabbench.trial.early_stopping import stopper_for
from mabbench.trial.training import train

NAME = "dense"
CONF = CONF_DIR


def trivial_score(splits: Splits, metric: str) -> float:
    """The metric of predicting the train majority class (or the train mean) for every test row."""
    test = splits.test.targets
    if splits.test.targets.dtype.is_floating_point:
        outputs = torch.full((len(test), 1), splits.train.targets.float().mean().item())
    else:
        # the most frequent class (a language model's: token) at every position
        majority = torch.bincount(splits.train.targets.flatten(),
                                  minlength=splits.n_outputs).argmax()
        one_hot = torch.nn.functional.one_hot(majority, splits.n_outputs).float()
        positions = [1] * (test.dim() - 1)  # (N,) classes, (N, T) next tokens
        outputs = one_hot.view(1, -1, *positions).expand(len(test), -1, *test.shape[1:])
    return METRICS.get(metric)(outputs, test)


def run_task(task: str, overrides: list[str]) -> dict:
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(CONF), version_base="1.3"):
        cfg = compose("config", overrides=[f"task={task}", *overrides])
    GlobalHydra.instance().clear()
    set_threads(cfg.runtime.threads or 1)
    seed_everything(cfg.seed)
    start = time.perf_counter()
    splits = load_splits(cfg)
    loaded = time.perf_counter()
    torch.manual_seed(cfg.seed)
    model = build_model(cfg.model, splits)
    stopper = stopper_for(cfg.task, splits.select)
    train(model, splits.train, cfg.task.train, cfg.task.loss, cfg.seed, stopper)
    trained = time.perf_counter()
    cap = cfg.task.train.epochs
    epochs = f"{stopper.epochs_run}/{stopper.best_epoch}/{cap}" if stopper else f"{cap}/-/{cap}"
    return {"task": task, "dataset": cfg.dataset.name, "model": cfg.model.name,
            "metric": cfg.task.metric, "epochs": epochs,
            "test": score(model, splits.test, cfg.task.metric),
            "trivial": trivial_score(splits, cfg.task.metric),
            "load_s": loaded - start, "train_s": trained - loaded}


def run(args: list[str]) -> None:
    tasks = sorted(path.stem for path in (CONF / "task").glob("*.yaml"))
    print(f"{'task':<11}{'dataset':<15}{'model':<14}{'metric':<9}{'run/best/cap':>13}"
          f"{'test':>7}{'trivial':>9}{'load s':>8}{'train s':>9}")
    for task in tasks:
        r = run_task(task, args)
        print(f"{r['task']:<11}{r['dataset']:<15}{r['model']:<14}{r['metric']:<9}"
              f"{r['epochs']:>13}{r['test']:>7.3f}"
              f"{r['trivial']:>9.3f}{r['load_s']:>8.1f}{r['train_s']:>9.1f}", flush=True)
