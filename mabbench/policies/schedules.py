"""How a policy's exploration parameter (epsilon, temperature) moves with time.

``t`` is the number of pulls so far plus one. ``inverse_log`` is the paper's
annealing, 1 / log(t) (banditsbook's ``1 / log(t + 1e-7)``); it ignores the
configured value, as the 2017 code did.
"""
from __future__ import annotations

import math

from mabbench.config.registry import Registry

SCHEDULES: Registry = Registry("schedule")


@SCHEDULES.register("constant")
def constant(value: float, t: int) -> float:
    return value


@SCHEDULES.register("inverse_log")
def inverse_log(value: float, t: int) -> float:
    return 1.0 / math.log(t + 1e-7)
