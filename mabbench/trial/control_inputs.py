"""The two finished records a control reads, from the job's own results store.

The order method's (B, the job's ``policy``) is its own trial: the job's config is
B's, so its folder and config hash find it. The allocation method's (A) is searched in
A's folder: the one record on the job's seed and dense model whose config.yaml
matches the job's in every section but the policy (task, data set, model, pruning
protocol, precision). A missing record is not the control's failure (NotReady:
nothing is recorded, and the job runs once the record exists); neither is an
ambiguous one (several of A's configurations match).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import yaml
from omegaconf import DictConfig, OmegaConf

from mabbench.config.errors import ConfigError
from mabbench.config.paths import beneath
from mabbench.files.integrity import read_trusted_json
from mabbench.store import identity
from mabbench.store.failures import FAILED_NAME, NotReady
from mabbench.trial.control_identity import label, methods
from mabbench.trial.resume import RESULT_KEYS

# The config sections two records must share for one's counts to fill the other's
# order: a trial's hashed sections but the policy.
SECTIONS = ("task", "dataset", "model", "pruning")
# A candidate allocation record needs its endpoints: this also leaves out protocol v2
# records restored beside the v3 ones (the same dense models, and no endpoints).
CANDIDATE_KEYS = (*RESULT_KEYS, "endpoints")
RUN_FIRST = "run its trial first (the reference grid's deep part)"


@dataclass
class Found:
    method: str
    path: Path
    record: dict


def protocol(config: dict, pulls: bool) -> dict:
    """What of a resolved config must match. Keys only pulls read (the budget, the
    reward...) are left out for a method that spent none, as its identity leaves them
    out: re-running it under another budget is skipped, so its config.yaml keeps the first."""
    view = {section: copy.deepcopy(config.get(section)) or {} for section in SECTIONS}
    for section, keys in identity.UNHASHED_KEYS.items():
        for key in keys:
            view[section].pop(key, None)
    if not pulls:
        for key in identity.BANDIT_ONLY_KEYS:
            view["pruning"].pop(key, None)
    view["precision"] = (config.get("runtime") or {}).get("precision", "fp32")
    return view


def _where(cfg: DictConfig) -> str:
    return f"{cfg.task.name}/{cfg.dataset.name} model={cfg.model.name} seed={cfg.seed}"


def order_record(cfg: DictConfig) -> Found:
    """B's record: the job's own trial folder, trusted by B's config hash."""
    _, order = methods(cfg)
    folder = identity.run_dir(cfg)
    record = read_trusted_json(folder / "result.json", RESULT_KEYS,
                               {"config_hash": identity.config_hash(cfg), "seed": cfg.seed},
                               repair=False)  # B's file, not the control's to move aside
    if record is None:
        failed = " (its trial failed: see failed.json)" if (folder / FAILED_NAME).exists() else ""
        raise NotReady(f"control {label(cfg)}: no record of policy={order} (the order) for "
                       f"{_where(cfg)} at {folder}{failed}; {RUN_FIRST}")
    if record.get("dense_hash") != identity.dense_hash(cfg):
        raise ConfigError(f"runtime: policy={order}'s record ({folder}) pruned dense model "
                          f"{record.get('dense_hash')}, this job's is {identity.dense_hash(cfg)}"
                          " (runtime.device / runtime.threads differ); run the control as "
                          "its methods ran")
    return Found(order, folder / "result.json", record)


def allocation_record(cfg: DictConfig) -> Found:
    """A's record: the one in A's folder that is B's trial but for the method."""
    allocation, _ = methods(cfg)
    folder = beneath(identity.results_root(cfg) / "runs", ("task.name", cfg.task.name),
                     ("dataset.name", cfg.dataset.name), ("control.allocation", allocation))
    job = OmegaConf.to_container(cfg, resolve=True)
    expect = {"seed": cfg.seed, "dense_hash": identity.dense_hash(cfg)}
    matches = []
    for path in sorted(folder.glob(f"*/seed={cfg.seed}/result.json")):
        record = read_trusted_json(path, CANDIDATE_KEYS, expect, repair=False)
        config = _config(path.with_name("config.yaml"))
        if record is None or config is None:
            continue
        pulls = bool((record.get("cost") or {}).get("pulls"))
        if protocol(config, pulls) == protocol(job, pulls):
            matches.append(Found(allocation, path, record))
    if len(matches) > 1:
        hashes = ", ".join(found.record["config_hash"] for found in matches)
        raise NotReady(f"control {label(cfg)}: {len(matches)} records of policy={allocation} "
                       f"(the allocation) match {_where(cfg)} (config hashes {hashes} under "
                       f"{folder}); keep one configuration of it in this store")
    if not matches:
        raise NotReady(f"control {label(cfg)}: no record of policy={allocation} (the "
                       f"allocation) for {_where(cfg)} with this job's dense model and pruning "
                       f"protocol under {folder}; {RUN_FIRST}")
    return matches[0]


def _config(path: Path) -> dict | None:
    try:
        config = yaml.safe_load(path.read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return config if isinstance(config, dict) else None
