"""Bandit policies. ``make_policy(name, n_arms, seed, **overrides)`` builds one.

Adding a policy: one file here (a ``Policy`` subclass and its config
dataclass, stored with ``store_schema("policy", name, ...)``), one YAML in conf/policy/, one line in
``POLICIES`` below.
"""
from __future__ import annotations

from mabbench.policies.base import Policy, PolicyConfig
from mabbench.policies.ucb1 import UCB1
from mabbench.registry import Registry

POLICIES: Registry[type[Policy]] = Registry("policy")
POLICIES.register("ucb1")(UCB1)


def make_policy(name: str, n_arms: int, seed: int, **overrides) -> Policy:
    """Build the registered policy ``name`` for ``n_arms`` arms."""
    return POLICIES.get(name)(n_arms=n_arms, seed=seed, **overrides)


__all__ = ["POLICIES", "Policy", "PolicyConfig", "make_policy"]
