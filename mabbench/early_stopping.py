"""Early stopping of dense training on the select split (docs/protocol.md).

After each epoch the model is scored on ``select`` (never ``test``); the best
state is kept, training stops after ``patience`` epochs without an improvement
larger than ``min_delta``, ``task.train.epochs`` is the cap, and the best
state is restored at the end. The stopping epoch is a hyper-parameter, and the
select split is the data role that chooses hyper-parameters.

Monitors (``task.train.early_stopping.monitor``):

- ``loss`` (default): the task's training loss, mean over select. Continuous,
  so it improves smoothly where accuracy on a select split of a few dozen rows
  moves in steps of 1/n and sits on ties, and patience would count noise. And
  the select *metric* is what chooses the reported sparsity among the dense
  model and its pruned points: stopping on the metric would maximise the dense
  model's select score over epochs and tilt that choice towards the dense point.
- ``metric``: the task's metric (accuracy, R^2), for users who want it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import torch
from torch import nn

from mabbench.objectives import LOSSES, METRICS
from mabbench.registry import Registry
from mabbench.tasks.base import Split


@dataclass(frozen=True)
class Monitor:
    """What is watched: ``value(outputs, targets, task_cfg)``, and its direction."""

    value: Callable[[torch.Tensor, torch.Tensor, object], float]
    minimise: bool


MONITORS: Registry[Monitor] = Registry("early-stopping monitor")
MONITORS.register("loss")(Monitor(
    lambda outputs, targets, task: LOSSES.get(task.loss)(outputs, targets).double().mean().item(),
    minimise=True))
MONITORS.register("metric")(Monitor(
    lambda outputs, targets, task: METRICS.get(task.metric)(outputs, targets), minimise=False))


def enabled(stopping_cfg) -> bool:
    """``patience: null`` or ``0`` trains every one of ``task.train.epochs``."""
    return stopping_cfg is not None and bool(stopping_cfg.get("patience"))


@torch.no_grad()
def _outputs(model: nn.Module, data: Split, batch_size: int = 2048) -> torch.Tensor:
    return torch.cat([model(*(x[i:i + batch_size] for x in data.inputs))
                      for i in range(0, len(data), batch_size)]).float()


class EarlyStopping:
    """Watches the select split after each epoch; ``train`` asks it whether to
    stop and lets it put the best weights back at the end."""

    def __init__(self, stopping_cfg, task_cfg, select: Split) -> None:
        self.monitor_name = stopping_cfg.monitor
        self.monitor = MONITORS.get(stopping_cfg.monitor)
        self.patience = int(stopping_cfg.patience)
        self.min_delta = float(stopping_cfg.min_delta)
        self.task_cfg, self.select = task_cfg, select
        self.best_value: Optional[float] = None
        self.best_epoch = 0  # 0: the untrained model (no epoch has improved on nothing yet)
        self.epochs_run = 0
        self._best_state: Optional[dict[str, torch.Tensor]] = None

    def _improves(self, value: float) -> bool:
        if self.best_value is None:
            return value == value  # a NaN never becomes the best
        if self.monitor.minimise:
            return value < self.best_value - self.min_delta
        return value > self.best_value + self.min_delta

    def after_epoch(self, epoch: int, model: nn.Module) -> bool:
        """Score ``model`` after ``epoch`` (1-based); True: stop training now.
        Evaluation draws no random numbers and leaves BatchNorm statistics alone
        (eval mode), so the epochs run are those of training without stopping."""
        self.epochs_run = epoch
        model.eval()
        value = self.monitor.value(_outputs(model, self.select), self.select.targets,
                                   self.task_cfg)
        model.train()
        if self._improves(value):
            self.best_value, self.best_epoch = value, epoch
            self._best_state = {name: tensor.detach().clone()
                                for name, tensor in model.state_dict().items()}
        return epoch - self.best_epoch >= self.patience

    def restore(self, model: nn.Module) -> None:
        if self._best_state is not None:
            model.load_state_dict(self._best_state)
            self._best_state = None

    def summary(self, cap: int) -> dict:
        """What the record keeps: epochs run, the best epoch and its select value."""
        return {"early_stopping": True, "monitor": self.monitor_name,
                "patience": self.patience, "min_delta": self.min_delta, "max_epochs": cap,
                "epochs_run": self.epochs_run, "best_epoch": self.best_epoch,
                f"best_select_{self.monitor_name}": self.best_value,
                "stopped_early": self.epochs_run < cap}


def fixed_epochs_summary(cap: int) -> dict:
    return {"early_stopping": False, "epochs_run": cap, "max_epochs": cap}


def stopper_for(task_cfg, select: Split) -> Optional[EarlyStopping]:
    """The task's early stopping on ``select``, or None when it is off."""
    stopping = task_cfg.train.get("early_stopping")
    return EarlyStopping(stopping, task_cfg, select) if enabled(stopping) else None
