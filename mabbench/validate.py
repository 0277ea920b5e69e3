"""Range checks Hydra's types cannot express; each failure is one line naming the key."""
from __future__ import annotations

from omegaconf import DictConfig

from mabbench.errors import ConfigError


def check(condition: bool, key: str, value, allowed: str) -> None:
    if not condition:
        raise ConfigError(f"{key}={value!r}: {allowed}")


def validate(cfg: DictConfig) -> None:
    p = cfg.pruning
    check(0 <= p.sparsity < 1, "pruning.sparsity", p.sparsity, "must be in [0, 1)")
    for level in p.levels:
        check(0 < level < 1, "pruning.levels", list(p.levels), "every level must be in (0, 1)")
    check(p.budget_per_arm >= 0, "pruning.budget_per_arm", p.budget_per_arm, "must be >= 0")
    check(p.arms_per_round >= 1, "pruning.arms_per_round", p.arms_per_round, "must be >= 1")
    check(p.batch_size >= 1, "pruning.batch_size", p.batch_size, "must be >= 1")
    check(p.scope in ("layer", "global"), "pruning.scope", p.scope, "expected layer or global")
    check(p.ranking in ("mean", "cumulative"), "pruning.ranking", p.ranking,
          "expected mean or cumulative")
    t = cfg.task.train
    check(t.epochs >= 0, "task.train.epochs", t.epochs, "must be >= 0")
    check(t.batch_size >= 1, "task.train.batch_size", t.batch_size, "must be >= 1")
    check(t.lr > 0, "task.train.lr", t.lr, "must be > 0")
    s = cfg.task.split
    check(0 < s.val < 1 and 0 < s.test < 1 and s.val + s.test < 1, "task.split",
          f"val={s.val}, test={s.test}", "val and test must be in (0, 1) with val + test < 1")
    check(cfg.seed >= 0, "seed", cfg.seed, "must be a non-negative integer")
