"""Baseline pruning methods: each ranks arms by a score, on the same curve.

Each module holds one method and registers its config schema in group
``policy``, so baselines and bandit policies share one sweep axis:
none (unpruned), random, magnitude, taylor, greedy, oracle.
"""
from baselines import greedy, magnitude, oracle, random_order, taylor, unpruned  # noqa: F401
