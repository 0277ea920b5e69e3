"""Early stopping of dense training on the select split (docs/protocol.md).

After each epoch the model is scored on ``select`` (never ``test``): its mean
loss and the task's metric. The best epoch's weights are kept, training stops
after ``patience`` epochs without an improvement, ``task.train.epochs`` is the
cap, and the best weights are restored at the end. The stopping epoch is a
hyper-parameter, and the select split is the data role that chooses them.

Monitors (``task.train.early_stopping.monitor``), each a rule "is this epoch
better than the best so far":

- ``metric`` (default): the metric rises by more than ``min_delta``, or stays
  no worse while the loss falls. The metric is what the protocol selects by,
  and the loss alone stops too soon on small classification sets: the cross
  entropy of an increasingly confident model rises while its accuracy still
  climbs (generated bAbI task 6: the select loss is lowest after epoch 1, at
  chance accuracy; watching accuracy the memory network reaches 0.58). The
  loss breaks ties, which are common where accuracy on a select split of a few
  dozen rows moves in steps of 1/n. For R^2 (1 - MSE / variance on the same
  rows) the two agree.
- ``loss``: the loss falls by more than ``min_delta``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mabbench.config.registry import Registry

if TYPE_CHECKING:  # torch is imported where a model is scored: validate.py reads MONITORS without it
    import torch
    from torch import nn

    from mabbench.tasks.base import Split


@dataclass(frozen=True)
class Scores:
    """One epoch's scores on select."""

    loss: float
    metric: float


Better = Callable[[Scores, Scores, float], bool]  # (candidate, best, min_delta)
MONITORS: Registry[Better] = Registry("early-stopping monitor")
MONITORS.register("metric")(lambda new, best, delta: (
    new.metric > best.metric + delta or (new.metric >= best.metric and new.loss < best.loss)))
MONITORS.register("loss")(lambda new, best, delta: new.loss < best.loss - delta)


def enabled(stopping_cfg) -> bool:
    """``patience: null`` or ``0`` trains every one of ``task.train.epochs``."""
    return stopping_cfg is not None and bool(stopping_cfg.get("patience"))


def _outputs(model: nn.Module, data: Split, batch_size: int = 2048) -> torch.Tensor:
    import torch

    with torch.no_grad():
        return torch.cat([model(*(x[i:i + batch_size] for x in data.inputs))
                          for i in range(0, len(data), batch_size)]).float()


class EarlyStopping:
    """Watches the select split after each epoch; ``train`` asks it whether to
    stop and lets it put the best weights back at the end."""

    def __init__(self, stopping_cfg, task_cfg, select: Split) -> None:
        from mabbench.tasks.objectives import LOSSES, METRICS

        self.monitor = stopping_cfg.monitor
        self.better = MONITORS.get(stopping_cfg.monitor)
        self.patience = int(stopping_cfg.patience)
        self.min_delta = float(stopping_cfg.min_delta)
        self.loss, self.metric = LOSSES.get(task_cfg.loss), METRICS.get(task_cfg.metric)
        self.select = select
        self.best: Scores | None = None
        self.best_epoch = 0  # 0: no epoch scored yet
        self.epochs_run = 0
        self._best_state: dict[str, torch.Tensor] | None = None

    def scores(self, model: nn.Module) -> Scores:
        """Evaluation draws no random numbers and leaves BatchNorm statistics
        alone (eval mode), so the epochs run are those of training without stopping."""
        model.eval()
        outputs = _outputs(model, self.select)
        model.train()
        targets = self.select.targets
        return Scores(self.loss(outputs, targets).double().mean().item(),
                      self.metric(outputs, targets))

    def after_epoch(self, epoch: int, model: nn.Module) -> bool:
        """Score ``model`` after ``epoch`` (1-based); True: stop training now."""
        self.epochs_run = epoch
        new = self.scores(model)
        finite = new.loss == new.loss and new.metric == new.metric  # a NaN is never the best
        if finite and (self.best is None or self.better(new, self.best, self.min_delta)):
            self.best, self.best_epoch = new, epoch
            self._best_state = {name: tensor.detach().clone()
                                for name, tensor in model.state_dict().items()}
        return epoch - self.best_epoch >= self.patience

    def restore(self, model: nn.Module) -> None:
        if self._best_state is not None:
            model.load_state_dict(self._best_state)
            self._best_state = None

    def summary(self, cap: int) -> dict:
        """What the record keeps: epochs run, the best epoch and its select scores."""
        return {"early_stopping": True, "monitor": self.monitor, "patience": self.patience,
                "min_delta": self.min_delta, "max_epochs": cap, "epochs_run": self.epochs_run,
                "best_epoch": self.best_epoch,
                "best_select_loss": self.best.loss if self.best else None,
                "best_select_metric": self.best.metric if self.best else None,
                "stopped_early": self.epochs_run < cap}


def fixed_epochs_summary(cap: int) -> dict:
    return {"early_stopping": False, "epochs_run": cap, "max_epochs": cap}


def stopper_for(task_cfg, select: Split) -> EarlyStopping | None:
    """The task's early stopping on ``select``, or None when it is off."""
    stopping = task_cfg.train.get("early_stopping")
    return EarlyStopping(stopping, task_cfg, select) if enabled(stopping) else None
