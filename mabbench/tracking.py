"""Optional Weights & Biases logging (``runtime.wandb=true``; off by default).

The result store stays the record of truth; wandb gets a copy of each finished
trial: the resolved config, one logged step per curve point, and the headline
numbers as the run summary. ``WANDB_MODE=offline`` works without a network.
"""
from __future__ import annotations

import importlib

from omegaconf import DictConfig, OmegaConf

from mabbench.errors import ConfigError


def require_wandb(cfg: DictConfig):
    """The wandb module when ``runtime.wandb`` is on, else None; checked before a
    trial starts, so a missing package fails in one line with nothing written."""
    if not cfg.runtime.wandb:
        return None
    try:
        return importlib.import_module("wandb")
    except ImportError:
        raise ConfigError(
            "runtime.wandb=true needs the wandb package: pip install -e '.[wandb]'"
        ) from None


def log_record(wandb, cfg: DictConfig, record: dict) -> None:
    """Send one finished trial to wandb as its own run."""
    if wandb is None:
        return
    run = wandb.init(
        project=cfg.runtime.wandb_project,
        group=f"{record['task']}/{record['dataset']}",
        name=f"{record['policy']}-{record['config_hash']}-seed{record['seed']}",
        config=OmegaConf.to_container(cfg, resolve=True),
        reinit=True,
    )
    for point in record["curve"]:
        run.log({f"curve/{key}": value for key, value in point.items()
                 if isinstance(value, (int, float))})
    run.summary.update({
        "dense_test": record["dense"]["test"], "target_test": record["target"]["test"],
        "selected_test": record["selected"]["test"], "pulls": record["cost"]["pulls"],
        "prune_seconds": record["cost"]["seconds"],
        "spearman_oracle": record.get("spearman_oracle"),
    })
    run.finish()
