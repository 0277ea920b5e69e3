"""Issue 13 item 3: dense training stops early on the select split, keeps its
best epoch, records what happened, and is part of the dense model's identity."""
from __future__ import annotations

import json

import pytest
import torch

from mabbench.config.errors import ConfigError
from mabbench.models import build_model
from mabbench.store import identity
from mabbench.tasks import load_splits
from mabbench.tasks.base import Split
from mabbench.trial import training
from mabbench.trial.early_stopping import MONITORS, Scores, stopper_for
from mabbench.trial.run import run_trial
from mabbench.trial.validate import validate

# min_delta large enough that the select loss of breast_cancer stops "improving" soon
STOPS_SOON = ["task.train.early_stopping.patience=2", "task.train.early_stopping.min_delta=0.02",
              "task.train.early_stopping.monitor=loss"]


def trained(cfg, splits, stopping=True):
    torch.manual_seed(cfg.seed)
    model = build_model(cfg.model, splits)
    stopper = stopper_for(cfg.task, splits.select) if stopping else None
    training.train(model, splits.train, cfg.task.train, cfg.task.loss, cfg.seed, stopper)
    return model, stopper


def weights(model) -> list[torch.Tensor]:
    return [t.clone() for t in model.state_dict().values()]


def test_stops_before_the_cap_and_ends_with_the_best_epochs_weights(make_cfg):
    cfg = make_cfg(*STOPS_SOON)
    splits = load_splits(cfg)
    model, stopper = trained(cfg, splits)
    assert stopper.epochs_run < cfg.task.train.epochs  # stopped early
    assert stopper.epochs_run == stopper.best_epoch + 2  # after `patience` epochs without gain
    # the best epoch's weights are those of plain training for that many epochs:
    # scoring select after each epoch changed nothing in the training itself
    fixed = make_cfg(f"task.train.epochs={stopper.best_epoch}",
                     "task.train.early_stopping.patience=null")
    plain, none = trained(fixed, splits, stopping=False)
    assert none is None
    assert all(torch.equal(a, b) for a, b in zip(weights(model), weights(plain)))


def test_the_test_split_never_decides_when_to_stop(make_cfg):
    cfg = make_cfg(*STOPS_SOON)
    splits = load_splits(cfg)
    first, stopper = trained(cfg, splits)
    scrambled = torch.flip(splits.test.targets, dims=[0])
    splits.test = Split(tuple(torch.randn_like(x) if x.is_floating_point() else x
                              for x in splits.test.inputs), scrambled)
    second, again = trained(cfg, splits)
    assert (again.epochs_run, again.best_epoch) == (stopper.epochs_run, stopper.best_epoch)
    assert all(torch.equal(a, b) for a, b in zip(weights(first), weights(second)))


def test_metric_monitor_follows_the_metric_and_breaks_ties_by_the_loss():
    better = MONITORS.get("metric")
    best = Scores(loss=0.40, metric=0.90)
    assert better(Scores(loss=0.50, metric=0.95), best, 0.0)  # more accurate, less confident
    assert better(Scores(loss=0.30, metric=0.90), best, 0.0)  # a tie goes to the lower loss
    assert not better(Scores(loss=0.30, metric=0.89), best, 0.0)
    assert not better(Scores(loss=0.50, metric=0.905), best, 0.01)  # within min_delta
    assert MONITORS.get("loss")(Scores(loss=0.30, metric=0.0), best, 0.05)


def test_metric_monitor_and_disabling(make_cfg):
    cfg = make_cfg("task.train.early_stopping.monitor=metric", "task.train.early_stopping.patience=1",
                   "task.train.epochs=8")
    splits = load_splits(cfg)
    model, stopper = trained(cfg, splits)
    summary = stopper.summary(8)
    assert summary["monitor"] == "metric" and 0.5 < summary["best_select_metric"] <= 1.0
    assert stopper.scores(model) == Scores(summary["best_select_loss"],
                                           summary["best_select_metric"])  # the best is kept
    assert stopper_for(make_cfg("task.train.early_stopping.patience=0").task, None) is None
    assert stopper_for(make_cfg("task.train.early_stopping.patience=null").task, None) is None


def test_record_and_meta_say_what_happened(make_cfg):
    cfg = make_cfg(*STOPS_SOON, "policy=magnitude")
    record = run_trial(cfg)
    ran = record["dense_training"]
    assert ran["early_stopping"] and ran["monitor"] == "loss" and ran["max_epochs"] == 30
    assert ran["stopped_early"] and ran["epochs_run"] == ran["best_epoch"] + 2
    assert ran["best_select_loss"] > 0
    meta = json.loads((identity.dense_dir(cfg) / "meta.json").read_text())
    assert meta["training"] == ran
    fixed = run_trial(make_cfg("task.train.early_stopping.patience=null", "policy=magnitude"))
    assert fixed["dense_training"] == {"early_stopping": False, "epochs_run": 30, "max_epochs": 30}


def test_early_stopping_settings_are_part_of_the_dense_identity(make_cfg):
    base = make_cfg(*STOPS_SOON)
    hashes = {identity.dense_hash(base)}
    for change in ("task.train.early_stopping.patience=3", "task.train.early_stopping.min_delta=0.01",
                   "task.train.early_stopping.monitor=metric",
                   "task.train.early_stopping.patience=null"):
        hashes.add(identity.dense_hash(make_cfg(*STOPS_SOON, change)))
    assert len(hashes) == 5
    assert identity.config_hash(make_cfg("task.train.early_stopping.patience=3")) != \
        identity.config_hash(make_cfg("task.train.early_stopping.patience=4"))


@pytest.mark.parametrize("override, key", [
    ("task.train.early_stopping.monitor=accuracy", "task.train.early_stopping.monitor"),
    ("task.train.early_stopping.patience=-1", "task.train.early_stopping.patience"),
    ("task.train.early_stopping.min_delta=-0.1", "task.train.early_stopping.min_delta"),
])
def test_bad_settings_are_one_line_naming_the_key(make_cfg, override, key):
    with pytest.raises(ConfigError, match=f"^{key}="):
        validate(make_cfg(override))
