"""What each instantiated config node may build (mabbench.config.targets.confine).

A registry, not a branch: the key of a config node that is instantiated, the bases its
``_target_`` must subclass, and the words an error uses. User code extends mabbench by
subclassing these bases, so a user policy or model passes; ``shutil.copyfile`` does not.
Each base is a function importing it when needed: the class a schema registers passes
without any import, so refusing bad input stays free of torch (tests/test_startup.py).
"""
from __future__ import annotations

from omegaconf import DictConfig

from mabbench.config.targets import confine


def _policy():
    """mabbench.policies.base.Policy"""
    from mabbench.policies.base import Policy

    return Policy


def _scorer():
    """baselines.base.Scorer"""
    from baselines.base import Scorer

    return Scorer


def _unpruned():
    """baselines.unpruned.Unpruned"""
    from baselines.unpruned import Unpruned

    return Unpruned


def _module():
    """torch.nn.Module"""
    from torch import nn

    return nn.Module


# key -> (bases, in words)
BUILDABLE = {
    "policy": ((_policy, _scorer, _unpruned), "a bandit policy or a baseline"),
    "model": ((_module,), "a network (a torch module)"),
}


def confined(node: DictConfig, key: str) -> None:
    """Refuse ``node`` (``cfg.<key>``) unless its ``_target_`` may be built there."""
    bases, what = BUILDABLE[key]
    confine(node, key, bases, what)


def check_targets(cfg: DictConfig) -> None:
    """Every node a trial instantiates, checked before anything is built."""
    for key in BUILDABLE:
        if key in cfg:
            confined(cfg[key], key)
