"""Baseline pruning methods: each ranks arms by a score, on the same curve.

One module per method; their config schemas live together in
baselines/schemas.py (registered in group ``policy`` on importing this
package, without torch), so baselines and bandit policies share one sweep
axis: none (unpruned), random, magnitude, taylor, greedy, oracle,
oracle_unsigned, shapley. A method's class is imported by its ``_target_``.
"""
from baselines import schemas  # noqa: F401
