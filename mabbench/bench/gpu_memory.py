"""A Hydra callback that logs each job's CUDA memory, for a sweep's workers sharing a GPU.

    python -m mabbench -m launcher=joblib ... \\
        +hydra.callbacks.memory._target_=mabbench.bench.gpu_memory.MemoryLog \\
        +hydra.callbacks.memory.path=/tmp/memory.jsonl

After every job, in the process that ran it (a joblib worker runs job after job), one
JSON line: the job's number, the process, the device, and torch's allocated (now and
peak during the job) and reserved bytes in MiB. What is still allocated after a job is
what that worker holds into its next one (the in-process memo keeps recent dense
models and splits: mabbench/runtime/memo.py). Nothing is written where CUDA was
never initialised (a CPU sweep). tools/gpu_check.sh reads the lines back.
"""
from __future__ import annotations

import json
import os
import time
from typing import Any

from hydra.experimental.callback import Callback


def _mib(n: int) -> float:
    return round(n / 2 ** 20, 1)


class MemoryLog(Callback):
    def __init__(self, path: str) -> None:
        self.path = path

    def on_job_start(self, config: Any, **kwargs: Any) -> None:
        import torch

        if torch.cuda.is_available() and torch.cuda.is_initialized():
            torch.cuda.reset_peak_memory_stats()

    def on_job_end(self, config: Any, job_return: Any, **kwargs: Any) -> None:
        import torch
        from hydra.core.hydra_config import HydraConfig

        line: dict[str, Any] = {"job": HydraConfig.get().job.num, "pid": os.getpid(),
                                "time": time.time()}
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            device = torch.cuda.current_device()
            line |= {"device": f"cuda:{device}",
                     "allocated_mib": _mib(torch.cuda.memory_allocated(device)),
                     "peak_mib": _mib(torch.cuda.max_memory_allocated(device)),
                     "reserved_mib": _mib(torch.cuda.memory_reserved(device))}
        else:
            line["device"] = "cpu (CUDA not initialised)"
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
