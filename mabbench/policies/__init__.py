"""Bandit policies. ``make_policy(name, n_arms, seed, **overrides)`` builds one.

Adding a policy: one file here (a ``Policy`` subclass and its config
dataclass, stored with ``store_schema("policy", name, ...)``), one YAML in
conf/policy/, one line in ``POLICIES`` below. A variant (another default
schedule, likelihood...) is one more config dataclass, YAML and line.
The registry maps a name to its config dataclass: the same typed schema the
command line composes, so ``make_policy`` and ``policy=<name>`` agree on keys,
types and defaults.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from hydra.utils import get_class
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from mabbench.config.registry import Registry
from mabbench.policies.base import Policy, PolicyConfig
from mabbench.policies.epsilon_greedy import EpsilonDecayConfig, EpsilonGreedyConfig
from mabbench.policies.exp3 import EXP3Config
from mabbench.policies.hedge import HedgeConfig
from mabbench.policies.kl_ucb import KLUCBConfig
from mabbench.policies.lucb import LUCBConfig
from mabbench.policies.softmax import SoftmaxAnnealConfig, SoftmaxConfig
from mabbench.policies.successive_halving import SuccessiveHalvingConfig
from mabbench.policies.thompson import ThompsonConfig, ThompsonGaussianConfig
from mabbench.policies.ucb1 import UCB1Config
from mabbench.policies.uniform import UniformConfig

POLICIES: Registry[type[PolicyConfig]] = Registry("policy")
POLICIES.register("epsilon_greedy")(EpsilonGreedyConfig)
POLICIES.register("epsilon_decay")(EpsilonDecayConfig)
POLICIES.register("softmax")(SoftmaxConfig)
POLICIES.register("softmax_anneal")(SoftmaxAnnealConfig)
POLICIES.register("ucb1")(UCB1Config)
POLICIES.register("thompson")(ThompsonConfig)
POLICIES.register("thompson_gaussian")(ThompsonGaussianConfig)
POLICIES.register("hedge")(HedgeConfig)
POLICIES.register("exp3")(EXP3Config)
POLICIES.register("kl_ucb")(KLUCBConfig)
POLICIES.register("successive_halving")(SuccessiveHalvingConfig)
POLICIES.register("lucb")(LUCBConfig)
POLICIES.register("uniform")(UniformConfig)

# Passed by the engine to every policy, not part of any policy's schema.
PLANNING_KEYS = ("budget", "n_sought")


def policy_class(name: str) -> type[Policy]:
    """The ``Policy`` subclass behind registered name ``name``."""
    return get_class(POLICIES.get(name)._target_)


def hyperparameters(name: str, **overrides: Any) -> dict[str, Any]:
    """The typed hyper-parameters of ``name``: schema defaults, then ``overrides``.

    Raises ValueError naming the policy, the argument and its value for an
    unknown key or a value of the wrong type."""
    try:
        schema = POLICIES.get(name)
    except KeyError as error:
        raise ValueError(error.args[0]) from None
    keys = [f.name for f in dataclasses.fields(schema) if f.name not in ("_target_", "name")]
    for key, value in overrides.items():
        if key not in keys:
            raise ValueError(f"policy {name}: unknown argument {key}={value!r}; "
                             f"allowed: {', '.join(keys + list(PLANNING_KEYS)) or 'none'}")
    try:
        node = OmegaConf.merge(OmegaConf.structured(schema), overrides)
    except OmegaConfBaseException as error:
        key = getattr(error, "key", None)
        raise ValueError(f"policy {name}: argument {key}={overrides.get(key)!r}: "
                         f"{str(error).splitlines()[0]}") from None
    return {key: node[key] for key in keys}


def make_policy(name: str, n_arms: int, seed: int, **overrides: Any) -> Policy:
    """Build the registered policy ``name`` for ``n_arms`` arms.

    ``overrides`` are the policy's hyper-parameters (its config keys) and the
    engine's planning keys ``budget`` (total pulls) and ``n_sought`` (arms
    to identify). ``make_policy("ucb1", n_arms=500, seed=0, c=1.0)``."""
    planning = {key: overrides.pop(key) for key in PLANNING_KEYS if key in overrides}
    params = hyperparameters(name, **overrides)
    policy = policy_class(name)(n_arms=n_arms, seed=seed, **params, **planning)
    policy.name = name  # errors and reports name the variant the user chose
    return policy


__all__ = ["POLICIES", "Policy", "PolicyConfig", "hyperparameters", "make_policy",
           "policy_class"]
