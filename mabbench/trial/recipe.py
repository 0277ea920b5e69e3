"""The optimizer and learning-rate schedule of a training run, from its config.

Read by dense training (``task.train``) and fine-tuning (``pruning.finetune``,
which has no schedule or momentum keys: their defaults apply). Both are
registries, so a recipe is a choice in config; an unknown name or a key the
chosen optimizer cannot honour fails in one line naming the key, before the
first step.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from mabbench.config.errors import ConfigError, did_you_mean
from mabbench.config.registry import Registry

OPTIMIZERS: Registry[Callable] = Registry("optimizer")
LR_SCHEDULES: Registry[Callable] = Registry("lr schedule")


@OPTIMIZERS.register("adam")
def _adam(params: Iterable, cfg) -> torch.optim.Optimizer:
    return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


@OPTIMIZERS.register("sgd")
def _sgd(params: Iterable, cfg) -> torch.optim.Optimizer:
    return torch.optim.SGD(params, lr=cfg.lr, weight_decay=cfg.weight_decay,
                           momentum=_get(cfg, "momentum", 0.0),
                           nesterov=bool(_get(cfg, "nesterov", False)))


@LR_SCHEDULES.register("constant")
def _constant(optimizer, schedule, epochs: int):
    return None


@LR_SCHEDULES.register("multistep")
def _multistep(optimizer, schedule, epochs: int):
    return torch.optim.lr_scheduler.MultiStepLR(optimizer, list(schedule.milestones),
                                                gamma=schedule.gamma)


@LR_SCHEDULES.register("cosine")
def _cosine(optimizer, schedule, epochs: int):
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, epochs))


def _get(cfg, key: str, default):
    value = getattr(cfg, key, None)
    return default if value is None else value


def _choice(registry: Registry, key: str, name: str) -> Callable:
    if name not in registry:
        raise ConfigError(f"{key}={name!r}: expected one of {', '.join(registry.names())}"
                          f"{did_you_mean(name, registry.names())}")
    return registry.get(name)


def optimizer_and_schedule(params: Iterable, cfg, where: str = "task.train"):
    """(optimizer, lr scheduler or None) for ``cfg`` (a TrainConfig or FinetuneConfig);
    the scheduler steps once per epoch. ``where`` names the config node in errors."""
    build = _choice(OPTIMIZERS, f"{where}.optimizer", cfg.optimizer)
    momentum, nesterov = _get(cfg, "momentum", 0.0), bool(_get(cfg, "nesterov", False))
    if cfg.optimizer != "sgd" and (momentum or nesterov):
        raise ConfigError(f"{where}.momentum={momentum}: only optimizer=sgd takes momentum "
                          f"(adam keeps its own moment estimates)")
    if nesterov and momentum <= 0:
        raise ConfigError(f"{where}.nesterov=true: needs {where}.momentum > 0")
    schedule = getattr(cfg, "lr_schedule", None)
    name = "constant" if schedule is None else schedule.name
    make = _choice(LR_SCHEDULES, f"{where}.lr_schedule.name", name)
    if name == "multistep":
        milestones = list(schedule.milestones)
        if not milestones or milestones != sorted(milestones) or milestones[0] < 1:
            raise ConfigError(f"{where}.lr_schedule.milestones={milestones}: multistep needs "
                              f"increasing epochs >= 1, e.g. [100, 150]")
    optimizer = build(params, cfg)
    return optimizer, make(optimizer, schedule, int(cfg.epochs))
