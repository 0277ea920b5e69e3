"""Seeding, device choice and threads: the process-wide state a trial sets."""
from __future__ import annotations

import platform
import random
from contextlib import nullcontext

import numpy as np
import torch

from mabbench.config.errors import ConfigError
from mabbench.runtime.allocator import reuse_freed_memory


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (seed 0 included) and ask for deterministic kernels."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


# runtime.precision -> the autocast dtype of pulls and evaluation (None: no autocast).
PRECISIONS = {"fp32": None, "bf16": torch.bfloat16}


def job_index() -> int:
    """This job's number in a Hydra multirun (0 outside one): basic, joblib,
    submitit and Ray launchers all set ``hydra.job.num``."""
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    if not HydraConfig.initialized():
        return 0
    number = OmegaConf.select(HydraConfig.get(), "job.num", default=None,
                              throw_on_missing=False)
    return int(number) if number is not None else 0


def gpu_for_job(index: int, visible: int) -> int | None:
    """Parallel jobs take the visible GPUs in turn (job number modulo count), so
    jobs running side by side land on distinct GPUs; None without a GPU."""
    return index % visible if visible > 0 else None


def device_type(name: str) -> str:
    """The kind of device ``runtime.device`` means (``cpu`` or ``cuda``), without
    selecting one: ``resolve_device`` makes a GPU current, which a hash must not."""
    if name == "auto":
        return "cuda" if torch.cuda.is_available() and torch.cuda.device_count() > 0 else "cpu"
    return resolve_device(name).type


def resolve_device(name: str, job: int = 0) -> torch.device:
    """``auto`` = CUDA when present (GPU ``job`` mod the visible count), else CPU;
    anything else is taken as given."""
    if name == "auto":
        gpu = gpu_for_job(job, torch.cuda.device_count() if torch.cuda.is_available() else 0)
        if gpu is None:
            return torch.device("cpu")
        torch.cuda.set_device(gpu)
        return torch.device("cuda", gpu)
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ConfigError(f"runtime.device={name!r}: expected auto, cpu, cuda or cuda:<n>") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"runtime.device={name!r}: CUDA is not available on this machine")
    return device


def training_threads(threads: int) -> int:
    """The torch thread count ``runtime.threads`` gives (0: torch's default here)."""
    return threads if threads > 0 else torch.get_num_threads()


def set_threads(threads: int) -> None:
    """0 keeps torch's default; in parallel sweeps set cores / jobs."""
    if threads > 0:
        torch.set_num_threads(threads)


def synchronize() -> None:
    """Wait for queued CUDA work, so a wall-clock interval covers the kernels it
    launched (CUDA is asynchronous); a no-op on the CPU."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def autocast(device: torch.device, precision: str):
    """The context forward passes of pulls and evaluation run under."""
    if precision not in PRECISIONS:
        raise ConfigError(f"runtime.precision={precision!r}: expected one of "
                          f"{', '.join(PRECISIONS)}")
    dtype = PRECISIONS[precision]
    return nullcontext() if dtype is None else torch.autocast(device.type, dtype=dtype)


def device_name(device: torch.device) -> str:
    """What the record says the trial ran on, e.g. 'NVIDIA H100 80GB HBM3' or the CPU."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return platform.processor() or platform.machine() or "cpu"


def apply_runtime(runtime) -> None:
    """The process-wide settings a job's ``runtime`` section asks for: torch threads and,
    unless turned off, the reuse of freed memory (mabbench/runtime/allocator.py)."""
    set_threads(runtime.threads)
    if runtime.get("reuse_freed_memory", True):
        reuse_freed_memory()
