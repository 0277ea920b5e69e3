"""Range checks Hydra's types cannot express; each failure is one line naming the key."""
from __future__ import annotations

import math

from hydra.utils import get_class
from omegaconf import DictConfig, OmegaConf

from mabbench.config.errors import ConfigError
from mabbench.config.paths import check_folder, check_names
from mabbench.pruning.deploy import DEPLOY_FORMS
from mabbench.pruning.rewards import REWARDS
from mabbench.pruning.schedules import SCHEDULES
from mabbench.trial.buildable import check_targets
from mabbench.trial.control_identity import check_control
from mabbench.trial.early_stopping import MONITORS
from mabbench.trial.regimes import REGIMES

# Past these, a library refuses the value mid-run (numpy seeds, torch thread pools,
# int32 indexing) or the run plans more work than any machine does.
MAX_SEED = 2**31 - 1
MAX_THREADS = 1024
MAX_BATCH = 2**31 - 1
MAX_PULLS_PER_ARM = 10_000


def check(condition: bool, key: str, value, allowed: str) -> None:
    if not condition:
        raise ConfigError(f"{key}={value!r}: {allowed}")


def validate(cfg: DictConfig) -> None:
    missing = sorted(OmegaConf.missing_keys(cfg))
    check(not missing, missing[0] if missing else "", "???",
          "is required; set it on the command line, e.g. " + (missing[0] if missing else "")
          + "=<value>")
    check_targets(cfg)
    check_names(cfg)
    for key in ("results_dir", "data_dir"):
        check_folder(f"runtime.{key}", cfg.runtime[key])
    p = cfg.pruning
    check(0 <= p.sparsity < 1, "pruning.sparsity", p.sparsity, "must be in [0, 1)")
    for level in p.levels:
        check(0 < level < 1, "pruning.levels", list(p.levels), "every level must be in (0, 1)")
    check(all(0 < f <= 1 for f in p.mac_fractions), "pruning.mac_fractions",
          list(p.mac_fractions), "every fraction must be in (0, 1]")
    check(all(0 < f <= 1 for f in p.param_fractions), "pruning.param_fractions",
          list(p.param_fractions), "every fraction must be in (0, 1]")
    check(p.compression_delta >= 0, "pruning.compression_delta", p.compression_delta,
          "must be >= 0 (metric units)")
    check(p.regime in REGIMES, "pruning.regime", p.regime,
          f"expected one of {', '.join(REGIMES.names())}")
    check(p.recalibration.batch_size >= 1, "pruning.recalibration.batch_size",
          p.recalibration.batch_size, "must be >= 1")
    check(p.budget_per_arm > 0, "pruning.budget_per_arm", p.budget_per_arm,
          "must be > 0 (pulls per arm; 0 would rank arms in index order)")
    check(p.budget_per_arm <= MAX_PULLS_PER_ARM, "pruning.budget_per_arm", p.budget_per_arm,
          f"must be <= {MAX_PULLS_PER_ARM:,} pulls per arm (the paper used 1.5-7.5; more "
          "plans billions of masked forwards)")
    check(p.arms_per_round >= 1, "pruning.arms_per_round", p.arms_per_round, "must be >= 1")
    check(p.batch_size >= 1, "pruning.batch_size", p.batch_size, "must be >= 1")
    check(p.scope in ("layer", "global"), "pruning.scope", p.scope, "expected layer or global")
    check(p.ranking in ("mean", "cumulative"), "pruning.ranking", p.ranking,
          "expected mean or cumulative")
    check(p.schedule in SCHEDULES, "pruning.schedule", p.schedule,
          f"expected one of {', '.join(SCHEDULES.names())}")
    check(p.schedule != "sequential" or p.scope == "layer", "pruning.scope", p.scope,
          "pruning.schedule=sequential explores one layer after another: expected scope=layer")
    check(p.iterations >= 1, "pruning.iterations", p.iterations, "must be >= 1")
    check(p.reward.transform in REWARDS, "pruning.reward.transform", p.reward.transform,
          f"expected one of {', '.join(REWARDS.names())}")
    check(p.reward.scale > 0, "pruning.reward.scale", p.reward.scale, "must be > 0")
    needs_classes = hasattr(REWARDS.get(p.reward.transform), "per_example_metric")
    check(not needs_classes or cfg.task.metric == "accuracy", "pruning.reward.transform",
          p.reward.transform, f"needs a classification task; task={cfg.task.name} is scored "
          f"by {cfg.task.metric} (use unsigned, sigmoid or linear)")
    lat = p.latency
    check(lat.batch_size >= 1 and lat.threads >= 1 and lat.warmup >= 0 and lat.repeats >= 0,
          "pruning.latency", dict(lat), "batch_size, threads >= 1; warmup, repeats >= 0")
    check(lat.deploy in DEPLOY_FORMS, "pruning.latency.deploy", lat.deploy,
          f"expected one of {', '.join(DEPLOY_FORMS.names())}")
    ft = p.finetune
    check(p.regime != "finetune" or ft.epochs >= 1, "pruning.finetune.epochs", ft.epochs,
          "must be >= 1 under pruning.regime=finetune")
    check(ft.epochs >= 0 and ft.batch_size >= 1 and ft.lr > 0, "pruning.finetune", dict(ft),
          "epochs >= 0, batch_size >= 1, lr > 0")
    check(ft.optimizer in ("adam", "sgd"), "pruning.finetune.optimizer", ft.optimizer,
          "expected adam or sgd")
    t = cfg.task.train
    check(t.epochs >= 0, "task.train.epochs", t.epochs, "must be >= 0")
    check(t.batch_size >= 1, "task.train.batch_size", t.batch_size, "must be >= 1")
    check(t.lr > 0, "task.train.lr", t.lr, "must be > 0")
    es = t.early_stopping
    check(es.patience is None or es.patience >= 0, "task.train.early_stopping.patience",
          es.patience, "must be >= 1 epochs, or null / 0 to train all task.train.epochs")
    check(es.min_delta >= 0, "task.train.early_stopping.min_delta", es.min_delta, "must be >= 0")
    check(es.monitor in MONITORS, "task.train.early_stopping.monitor", es.monitor,
          f"expected one of {', '.join(MONITORS.names())}")
    s = cfg.task.split
    check(all(0 < f < 1 for f in (s.prune, s.select, s.test)) and s.prune + s.select + s.test < 1,
          "task.split", f"prune={s.prune}, select={s.select}, test={s.test}",
          "each must be in (0, 1) with prune + select + test < 1 (the rest trains)")
    check(0 <= cfg.seed <= MAX_SEED, "seed", cfg.seed,
          f"must be an integer in [0, {MAX_SEED}] (numpy seeds are 32-bit, and each layer "
          "pool adds an offset)")
    timeout = cfg.runtime.get("timeout")
    check(timeout is None or 0 < timeout < 1e7, "runtime.timeout", timeout,
          "must be null (no limit) or seconds in (0, 1e7)")
    lock_break = cfg.runtime.get("lock_break_s", 600.0)
    check(0 < lock_break < 1e7, "runtime.lock_break_s", lock_break,
          "must be seconds in (0, 1e7): how long a stopped process may hold a build lock")
    check(0 <= cfg.runtime.threads <= MAX_THREADS, "runtime.threads", cfg.runtime.threads,
          f"must be in [0, {MAX_THREADS}] (0 keeps torch's default)")
    for key, value in (("task.train.lr", t.lr), ("pruning.finetune.lr", ft.lr),
                       ("pruning.reward.scale", p.reward.scale)):
        check(math.isfinite(value), key, value, "must be a finite number")
    for key, value in (("task.train.batch_size", t.batch_size),
                       ("pruning.batch_size", p.batch_size),
                       ("pruning.finetune.batch_size", ft.batch_size)):
        check(value <= MAX_BATCH, key, value, f"must be <= {MAX_BATCH:,} rows")
    check_model_task(cfg)
    check_control(cfg)


def check_model_task(cfg: DictConfig) -> None:
    """A model's schema (mabbench/models/schemas.py) declares ``TASKS``, the task
    families whose inputs it takes; a model without one may declare it on its class."""
    tasks = getattr(OmegaConf.get_type(cfg.model), "TASKS", None)
    if tasks is None:  # read without importing the model (torch) when the schema knows
        try:
            tasks = getattr(get_class(cfg.model._target_), "TASKS", None)
        except Exception:  # noqa: BLE001  (an unknown _target_ fails, naming it, when built)
            return
    check(tasks is None or cfg.task.name in tasks, "model", cfg.model.name,
          f"takes task={' or task='.join(tasks or ())} inputs, not task={cfg.task.name}; "
          f"choose a model for task={cfg.task.name}")
