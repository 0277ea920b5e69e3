"""Seeding, device choice and threads: the process-wide state a trial sets."""
from __future__ import annotations

import random

import numpy as np
import torch

from mabbench.errors import ConfigError


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (seed 0 included) and ask for deterministic kernels."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def resolve_device(name: str) -> torch.device:
    """``auto`` = CUDA when present, else CPU; anything else is taken as given."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
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
