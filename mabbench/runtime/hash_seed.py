"""Commands whose figures must be byte-identical re-run themselves under a fixed
string-hash seed: scikit-posthocs draws each critical-difference crossbar by iterating
a set of method names, whose order follows the string hash."""
from __future__ import annotations

import os
import sys


def rerun_with_fixed_hash_seed(module: str) -> None:
    """Re-execute ``python -m <module> <same arguments>`` under PYTHONHASHSEED=0, unless
    this process already runs under it."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, "-m", module, *sys.argv[1:]])
