"""Baseline pruning methods: each ranks arms by a score, on the same curve.

Each module holds one method and registers its config schema in group
``policy``, so baselines and bandit policies share one sweep axis:
none (unpruned), random, magnitude, taylor, greedy, oracle, oracle_unsigned,
shapley.
"""
from baselines import (  # noqa: F401
    greedy, magnitude, oracle, oracle_unsigned, random_order, shapley, taylor, unpruned)
