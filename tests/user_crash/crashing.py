"""A user policy that kills its own process with SIGSEGV on its first select: what a
crashing C extension does to a sweep (tests/test_sweep_crash.py)."""
from __future__ import annotations

import os
import signal

from mabbench.policies.ucb1 import UCB1


class Crash(UCB1):
    name = "crash"

    def _select(self, k):
        os.kill(os.getpid(), signal.SIGSEGV)
