"""A control job's identity, folder and checks (no torch: asked before a job runs).

A control job is the order method's trial config (``policy=<B>``) plus
``+control.allocation=<A>``. What decides its outcome is everything that decides B's
trial (B's config hash: data, model, pruning protocol, precision, B) and A; so its
hash is B's trial hash with the control section added, and its records sit beside the
methods'::

    runs/<task>/<dataset>/control/<A>__<B>/<hash>/seed=<s>/result.json
"""
from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from mabbench.config.errors import ConfigError
from mabbench.config.paths import beneath, component
from mabbench.store import identity

CONTROL_FOLDER = "control"  # beside the policies' folders; no policy is named so
KEYS = ("allocation",)  # what ``control`` may hold
# Cuts are scored as cut: a regime that recovers the cut model would score the
# recovery, not the split between allocation and order.
REGIME = "one_shot"


def check_control(cfg: DictConfig) -> None:
    """One line naming the key, for a control section that cannot run."""
    control = cfg.get("control")
    if control is None:
        return
    if not isinstance(control, DictConfig):
        raise ConfigError(f"control={control!r}: set +control.allocation=<method> "
                          "(a policy name), not control itself")
    for key in control:
        if key not in KEYS:
            raise ConfigError(f"control.{key}: no such key (control takes: {', '.join(KEYS)})")
    if control.get("allocation") is None:
        raise ConfigError("control.allocation: is required (the method whose per-layer "
                          "counts the cut keeps), e.g. +control.allocation=magnitude")
    component("control.allocation", control.allocation)
    if cfg.pruning.regime != REGIME:
        raise ConfigError(f"pruning.regime={cfg.pruning.regime}: a control scores its cuts "
                          f"as cut; expected {REGIME}")


def methods(cfg: DictConfig) -> tuple[str, str]:
    """(allocation, order): whose per-layer counts, whose order within each layer."""
    return str(cfg.control.allocation), str(cfg.policy.name)


def label(cfg: DictConfig) -> str:
    """``<allocation>__<order>``: the control's name in its record and folder."""
    allocation, order = methods(cfg)
    return f"{allocation}__{order}"


def control_hash(cfg: DictConfig) -> str:
    return identity.digest({"trial": identity.config_hash(cfg),
                            "control": OmegaConf.to_container(cfg.control, resolve=True)})


def control_dir(cfg: DictConfig) -> Path:
    allocation, order = methods(cfg)
    component("control.allocation", allocation)
    component("policy.name", order)
    return (beneath(identity.results_root(cfg) / "runs", ("task.name", cfg.task.name),
                    ("dataset.name", cfg.dataset.name), ("control", CONTROL_FOLDER),
                    ("control", label(cfg)))
            / control_hash(cfg) / f"seed={cfg.seed}")
