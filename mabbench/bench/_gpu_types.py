"""The GPU bench's two shared types: ``Row``, one trial configuration (a label and its
Hydra overrides, filled in with the dataset/model it resolved to), and ``Bench``, the
run's settings, its clock (``left()``: seconds to the budget's deadline) and everything
it collected (``results``, written to results.json, and ``notes``). Every part of the
bench (``gpu.py`` and its private ``_gpu_*`` modules) passes these around.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch


@dataclass
class Row:
    """One trial configuration: a label and its overrides."""

    label: str
    overrides: list[str]
    deep: bool = False  # a row of the deep suite (not a task family's default)
    model: str = ""


@dataclass
class Bench:
    """The run's settings, clock and collected results."""

    device: torch.device
    quick: bool
    threads: int
    root: Path
    deadline: float
    trial_limit: float
    cpu_limit: float
    cpu_limit_deep: float
    seed: int
    results: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def cuda(self) -> bool:
        return self.device.type == "cuda"
