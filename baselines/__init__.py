"""Baseline pruning methods: each ranks arms by a score, on the same curve.

Each module holds one method and registers its config schema in group
``policy``, so baselines and bandit policies share one sweep axis.
"""
from baselines import magnitude, unpruned  # noqa: F401  (register schemas)
