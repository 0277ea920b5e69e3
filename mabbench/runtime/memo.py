"""In-process reuse across the trials of one (dataset, seed).

A sweep runs many trials on the same data set, dense model and oracle; in one
process (the basic launcher, or a joblib worker that takes job after job) each
is built once and handed to the next trial instead of being re-loaded from
disk or re-computed. Every entry is keyed by everything that determines it
(the store's folder names carry the dense hash and seed), so a hit returns
exactly what a fresh process would compute. The disk caches (dense weights,
oracle.json) stay the source of truth across processes; this only spares the
reload. ``MABBENCH_NO_MEMO=1`` turns it off (tests compare both ways).

Sizes are small on purpose: a sweep is ordered so that the jobs of one
(dataset, seed) follow each other (mabbench/experiments/grid.py), so only the latest few
groups are ever asked for again.
"""
from __future__ import annotations

import copy
import json
import os
from collections import OrderedDict
from typing import Any, Callable, Hashable

from omegaconf import OmegaConf

DISABLE_ENV = "MABBENCH_NO_MEMO"


class Memo:
    """A small least-recently-used map: ``get_or_make(key, make)``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Any:
        if os.environ.get(DISABLE_ENV) or key not in self._items:
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return self._items[key]

    def put(self, key: Hashable, value: Any) -> Any:
        self.misses += 1
        if not os.environ.get(DISABLE_ENV):
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        found = self.get(key)
        return found if found is not None else self.put(key, make())

    def clear(self) -> None:
        self._items.clear()
        self.hits = self.misses = 0


SPLITS = Memo(size=4)  # loaded data sets: the splits of one (dataset, split, seed)
DENSE = Memo(size=4)  # trained dense weights (a state dict) and their meta, by dense folder
DENSE_POINT = Memo(size=4)  # the dense model's scores and latency, by dense folder
ORACLE = Memo(size=8)  # oracle.json's contents, by its path
# a method's ranking, by what makes it (ranking_key): the regimes of protocol v3
# prune one ranking three ways, and ranking is most of a bandit trial's time
RANKING = Memo(size=16)
# pruning keys that say what is done with a ranking, not how it is made
RANKING_FREE_KEYS = ("regime", "finetune", "recalibration", "mac_fractions", "param_fractions",
                     "compression_delta", "levels", "latency", "save_models", "oracle_rho")
# measured latency, by architecture, inputs and timing settings (mabbench/trial/curve.py): a
# tabular group's 20 methods x 19 levels of a one-layer MLP are 19 architectures
LATENCY = Memo(size=512)


def node_key(*nodes: Any) -> str:
    """A key from config nodes (resolved) and plain values."""
    return json.dumps([OmegaConf.to_container(n, resolve=True) if OmegaConf.is_config(n) else n
                       for n in nodes], sort_keys=True, default=str)


def splits(cfg, load: Callable[[Any], Any]):
    """``load(cfg)`` once per (dataset, task split, seed, data folder). A trial
    replaces the splits' fields (moving them to its device), so each gets its
    own shallow copy; the tensors are shared and never written in place."""
    key = node_key(cfg.dataset, cfg.task.name, cfg.task.split, cfg.seed, cfg.runtime.data_dir)
    return copy.copy(SPLITS.get_or_make(key, lambda: load(cfg)))


def ranking_key(cfg, dense_dir: str, device: str) -> str:
    """Everything a ranking depends on: the dense model (its folder names the
    dense hash and seed), device, precision, the method and the pruning keys
    that are not in RANKING_FREE_KEYS."""
    pruning = {key: value for key, value in
               OmegaConf.to_container(cfg.pruning, resolve=True).items()
               if key not in RANKING_FREE_KEYS}
    return node_key(dense_dir, device, cfg.runtime.precision, cfg.policy, pruning, cfg.seed)


def clear() -> None:
    for memo in (SPLITS, DENSE, DENSE_POINT, ORACLE, RANKING, LATENCY):
        memo.clear()
