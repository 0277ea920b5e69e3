"""One reference trial: load the trial's splits, fit a comparator, store a record
shaped like a trial's so the figures read both alike."""
from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from mabbench.config.errors import ConfigError
from mabbench.config.paths import beneath
from mabbench.files.atomic import atomic_write_text
from mabbench.files.integrity import write_checked_json
from mabbench.reference.comparators import estimator_config, fit_and_select
from mabbench.runtime import memo, timing
from mabbench.runtime.process import seed_everything
from mabbench.store import identity
from mabbench.store.provenance import git_commit, versions
from mabbench.store.rerun import RERUN_NAME, rerun_text
from mabbench.tasks import load_splits

# What decides a comparator's outcome: the data (task split, dataset) and the comparator.
HASHED_SECTIONS = ("task", "dataset", "reference")


def reference_hash(cfg: DictConfig) -> str:
    return identity.digest(identity.non_default_view(cfg, HASHED_SECTIONS))


def reference_dir(cfg: DictConfig) -> Path:
    """``runs/<task>/<dataset>/<comparator>/<hash>/seed=<s>``: beside the policies."""
    return (beneath(identity.results_root(cfg) / "runs", ("task.name", cfg.task.name),
                    ("dataset.name", cfg.dataset.name), ("reference.name", cfg.reference.name))
            / reference_hash(cfg) / f"seed={cfg.seed}")


def run_reference(cfg: DictConfig) -> dict:
    """Fit, choose on select, score test, write result.json, through the same
    skip / failure-record contract as a pruning trial (mabbench.trial.run_recorded)."""
    from mabbench.trial.resume import run_recorded

    if cfg.seed < 0:
        raise ConfigError(f"seed={cfg.seed}: must be a non-negative integer")
    estimator_config(cfg.reference, cfg.task.metric, cfg.task.name)  # fail before any work
    return run_recorded(cfg, reference_dir(cfg), reference_hash(cfg),
                        lambda result_path, stage: _fit(cfg, result_path, stage))


def _fit(cfg: DictConfig, result_path: Path, stage) -> dict:
    metric = cfg.task.metric
    seed_everything(cfg.seed)
    stage("load data")
    with timing.phase("load"):
        splits = memo.splits(cfg, load_splits)
    stage("fit")
    with timing.phase("fit"):
        fitted = fit_and_select(cfg.reference, splits, metric, cfg.task.name, cfg.seed)
    atomic_write_text(result_path.parent / "config.yaml",
                            OmegaConf.to_yaml(cfg, resolve=True))
    atomic_write_text(result_path.parent / RERUN_NAME, rerun_text(cfg))  # store/rerun.py
    # A comparator is not pruned: every point of the curve is the fitted model.
    fitted_point = {"sparsity": 0.0, "select": fitted.val, "test": fitted.test,
                    "params": None, "macs": None, "train_seconds": fitted.fit_seconds,
                    "selected": fitted.params} | fitted.extra
    record = {
        "schema_version": 2,
        "task": cfg.task.name, "dataset": cfg.dataset.name,
        "model": type(fitted.estimator).__name__, "policy": cfg.reference.name,
        "kind": "reference", "seed": cfg.seed,
        "config_hash": reference_hash(cfg), "dense_hash": None,
        "metric": metric, "scope": None, "layers": {},
        "split_sizes": splits.sizes(),
        "dense": fitted_point, "curve": [fitted_point], "target": fitted_point,
        "selected": fitted_point,
        "cost": {"pulls": 0, "forward_flops": 0.0, "seconds": 0.0},
        "ranking": {}, "device": "cpu",
        "versions": versions(), "git_commit": git_commit(),
        "timing": timing.spent(),  # seconds per phase (mabbench/runtime/timing.py)
    }
    stage("write result")
    write_checked_json(result_path, record)
    return record | {"path": str(result_path)}


def headline(record: dict) -> str:
    if record.get("status") == "failed":
        return f"failed ({record.get('reason')}): {record['path']}"
    if record.get("skipped"):
        return f"already done: {record['path']}"
    point = record["dense"]
    return (f"{record['task']}/{record['dataset']} reference={record['policy']} "
            f"({record['model']} {point['selected']}) seed={record['seed']}\n"
            f"  {record['metric']} select {point['select']:.4f} test {point['test']:.4f}\n"
            f"  wrote {record['path']}")
