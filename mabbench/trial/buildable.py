"""What each instantiated config node may build (mabbench.config.targets.confine).

A registry, not a branch: the key of a config node that is instantiated, the bases its
``_target_`` must subclass, and the words an error uses. User code extends mabbench by
subclassing these bases, so a user policy or model passes; ``shutil.copyfile`` does not.
"""
from __future__ import annotations

from omegaconf import DictConfig

from mabbench.config.targets import confine


def _policy_bases() -> tuple[type, ...]:
    from baselines.base import Scorer
    from baselines.unpruned import Unpruned
    from mabbench.policies.base import Policy

    return (Policy, Scorer, Unpruned)


def _model_bases() -> tuple[type, ...]:
    from torch import nn

    return (nn.Module,)


# key -> (bases, in words)
BUILDABLE = {
    "policy": (_policy_bases, "a bandit policy or a baseline"),
    "model": (_model_bases, "a network (a torch module)"),
}


def confined(node: DictConfig, key: str) -> type:
    """The class ``node._target_`` names (``node`` is ``cfg.<key>``), checked;
    ConfigError naming the key."""
    bases, what = BUILDABLE[key]
    return confine(node, key, bases(), what)


def check_targets(cfg: DictConfig) -> None:
    """Every node a trial instantiates, checked before anything is built."""
    for key in BUILDABLE:
        if key in cfg:
            confined(cfg[key], key)
