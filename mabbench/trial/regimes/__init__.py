"""Recovery regimes (``pruning.regime``): what happens to a pruned model before
it is scored. One file per regime, one registry line each; every method of a
comparison gets the same regime (protocol v3, docs/protocol.md).

A regime is an object with ``on_curve`` (whether the secondary unit-sparsity
curve gets it too, or only the primary equal-compute endpoints) and
``recover(model, job) -> dict``: it changes the compacted ``model`` in place
and returns what the record keeps about it (``{}`` when nothing happened).
``changes_model`` is False for a regime that never touches the model (one_shot):
its scores as cut are its scores, so they are computed once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mabbench.config.registry import Registry

if TYPE_CHECKING:  # the registry loads without torch: a bad name fails before it does
    from mabbench.tasks.base import Splits

REGIMES: Registry = Registry("pruning regime", providers=(
    "mabbench.trial.regimes.one_shot", "mabbench.trial.regimes.bn_recalibration",
    "mabbench.trial.regimes.finetune"))


@dataclass
class RecoveryJob:
    """What a regime may read: the splits (it trains on train and chooses on
    select, never reads test), the pruning config, the task's loss and metric
    names and the trial's seed (the same data order for every method)."""

    splits: Splits
    pruning_cfg: object
    loss: str
    metric: str
    seed: int
