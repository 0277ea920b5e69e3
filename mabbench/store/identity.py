"""A run's identity: the hashes and folders of its record and of its dense model.

Layout under ``runtime.results_dir``::

    runs/<task>/<dataset>/<policy>/<config_hash>/seed=<s>/config.yaml   once the dense model is ready
                                                          /result.json   written last
    dense/<dataset>/<model>/<dense_hash>/seed=<s>/model.pt, meta.json

A trial whose result.json exists is done; re-issuing a sweep resumes it.
"""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import is_dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from mabbench.config.paths import beneath
from mabbench.store.code import code_identity

# The parts of a config that decide a trial's outcome; seed and runtime
# (device, threads, paths, logging) are left out of the hash.
HASHED_SECTIONS = ("task", "dataset", "model", "policy", "pruning")
DENSE_SECTIONS = ("dataset", "model")
DENSE_TASK_KEYS = ("name", "loss", "split", "train")
# Bumped when the protocol changes what a stored dense model or record means,
# so old results are never mistaken for new ones (2: the four data roles -
# a dense model trained before them saw rows that are now prune/select/test;
# 3: records carry equal-compute endpoints under a regime, baselines follow the
# schedule and re-score between stages, magnitude reads BatchNorm scales, and
# the default MAC fractions and fine-tuning epochs changed: a v2 record with
# the same keys means something else. docs/protocol.md, "v3").
PROTOCOL_VERSION = 3
# What a dense model means changed last in v2; v3 changes only what is done
# with it, so v3 trials reuse the v2 dense models (and their pinned hashes).
DENSE_PROTOCOL_VERSION = 2
# Documentation keys that describe rather than determine a run.
UNHASHED_KEYS = {"dataset": ("source", "license", "size", "splits",
                             "rows", "features", "classes", "cleaned"),
                 "pruning": ("save_models",)}  # what is kept, not what is computed
# Pruning keys only the pull engine reads (budget, batching of arms, how rewards
# become a ranking): a baseline's identity leaves them out, so changing a budget
# re-runs only the bandits. A baseline that does read them says so with
# ``uses_pull_budget = True`` on its schema. The schedule and its stages are
# every method's since v3 (baselines re-score between stages).
BANDIT_ONLY_KEYS = ("budget_per_arm", "arms_per_round", "ranking", "reward")


def _schema_defaults(node: DictConfig) -> dict:
    schema = OmegaConf.get_type(node)
    if schema is None or not is_dataclass(schema):
        return {}
    return _defaults_of(schema)


@functools.lru_cache(maxsize=None)
def _defaults_of(schema: type) -> dict:
    """A schema's defaults, built once per process (read only by the callers)."""
    return OmegaConf.to_container(OmegaConf.structured(schema), resolve=False)


def uses_pull_budget(policy: DictConfig) -> bool:
    """What the policy's schema declares (``uses_pull_budget``, baselines/schemas.py:
    read without importing the method, so hashing a finished trial needs no torch);
    else True for a bandit policy (its ``_target_`` is a ``Policy`` class) or a
    method class that declares ``uses_pull_budget = True``, False for other classes."""
    from hydra.utils import get_class

    from mabbench.policies.base import Policy

    declared = getattr(OmegaConf.get_type(policy), "uses_pull_budget", None) \
        if isinstance(policy, DictConfig) else None
    if declared is not None:
        return bool(declared)
    target = policy.get("_target_") if isinstance(policy, DictConfig) else None
    try:
        found = get_class(target) if target else None
    except Exception:  # an unknown target fails later, where the method is built
        return True
    if not isinstance(found, type):
        return True
    return bool(getattr(found, "uses_pull_budget", issubclass(found, Policy)))


def _without_defaults(value: Any, default: Any) -> Any:
    """The part of ``value`` that differs from ``default`` (recursively for dicts)."""
    if isinstance(value, dict):
        default = default if isinstance(default, dict) else {}
        kept = {}
        for key, item in value.items():
            if key in default and item == default[key]:
                continue
            kept[key] = _without_defaults(item, default.get(key))
        return kept
    return value


def non_default_view(cfg: DictConfig, sections: tuple[str, ...]) -> dict:
    """Each section's keys that differ from its schema's defaults, plus the
    choice names (which are path components and always hashed)."""
    view: dict[str, Any] = {}
    for section in sections:
        node = cfg[section]
        value = OmegaConf.to_container(node, resolve=True)
        for key in UNHASHED_KEYS.get(section, ()):
            value.pop(key, None)
        view[section] = _without_defaults(value, _schema_defaults(node))
        if isinstance(value, dict) and "name" in value:
            view[section]["name"] = value["name"]
    return view


def digest(view: dict) -> str:
    text = json.dumps(view, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def config_hash(cfg: DictConfig) -> str:
    """Identity of a trial, shared by its seeds. A non-default ``runtime.precision``
    changes the numbers, so it joins the identity (fp32 trials keep their hashes);
    so does the code of a method outside mabbench (mabbench/store/code.py)."""
    view = non_default_view(cfg, HASHED_SECTIONS)
    if not uses_pull_budget(cfg.policy):
        for key in BANDIT_ONLY_KEYS:
            view["pruning"].pop(key, None)
    precision = cfg.runtime.get("precision", "fp32")
    if precision != "fp32":
        view["precision"] = precision
    view |= code_identity(cfg.policy)  # a user's method: its code (built-ins: nothing)
    return digest(view | {"protocol": PROTOCOL_VERSION})


def dense_hash(cfg: DictConfig) -> str:
    """Identity of the dense model: data, model, split and training, not the policy."""
    view = non_default_view(cfg, DENSE_SECTIONS)
    task = OmegaConf.to_container(cfg.task, resolve=True)
    view["task"] = _without_defaults(
        {k: task[k] for k in DENSE_TASK_KEYS}, _schema_defaults(cfg.task)
    )
    view["task"]["name"] = task["name"]
    view.update(_determinants(cfg))
    return digest(view | {"protocol": DENSE_PROTOCOL_VERSION})


def _determinants(cfg: DictConfig) -> dict:
    """What else decides the dense weights, hashed only when it is not the
    default, so existing hashes stay: the version of the code that generates
    the data, and (measured: LeNet weights differ by ~5e-7 between 1 and 2
    threads; MLPs do not) the CPU thread count and the device. The default is
    one CPU thread, as in tests and the reference grid."""
    from mabbench.runtime.process import device_type, training_threads
    from mabbench.tasks import data_version  # lazy: loading the registry imports every loader

    extra: dict[str, Any] = {}
    version = data_version(cfg.dataset.name)
    if version is not None:
        extra["data_version"] = version
    kind = device_type(cfg.runtime.device)  # no side effect: the job's GPU stays current
    if kind != "cpu":
        extra["device"] = kind
    elif training_threads(cfg.runtime.threads) != 1:
        extra["threads"] = training_threads(cfg.runtime.threads)
    return extra


def results_root(cfg: DictConfig) -> Path:
    return Path(cfg.runtime.results_dir).expanduser()


def run_dir(cfg: DictConfig) -> Path:
    """Each name is one folder (config/paths.py): a name cannot climb out of the store."""
    return (beneath(results_root(cfg) / "runs", ("task.name", cfg.task.name),
                    ("dataset.name", cfg.dataset.name), ("policy.name", cfg.policy.name))
            / config_hash(cfg) / f"seed={cfg.seed}")


def dense_dir(cfg: DictConfig) -> Path:
    return (beneath(results_root(cfg) / "dense", ("dataset.name", cfg.dataset.name),
                    ("model.name", cfg.model.name))
            / dense_hash(cfg) / f"seed={cfg.seed}")
