"""Optional Weights & Biases logging (``runtime.wandb=true``; off by default).

The result store stays the record of truth; wandb follows the trial while it
runs: the resolved config at the start, each pull round's statistics
(``pulls/*``: pulls so far, mean reward and loss change, live arms) and each
curve level (``curve/*``) as they happen, then the headline numbers as the run
summary. ``WANDB_MODE=offline`` works without a network.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from omegaconf import DictConfig, OmegaConf

from mabbench.config.errors import ConfigError
from mabbench.runtime import progress
from mabbench.store import identity


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


def numbers(prefix: str, values: dict) -> dict:
    return {f"{prefix}/{key}": value for key, value in values.items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)}


@contextmanager
def live_run(wandb, cfg: DictConfig) -> Iterator[object]:
    """A wandb run that receives the trial's events while the block runs (None when
    wandb is off); ``finish_run`` closes it with the record."""
    if wandb is None:
        yield None
        return
    run = wandb.init(
        project=cfg.runtime.wandb_project,
        group=f"{cfg.task.name}/{cfg.dataset.name}",
        name=f"{cfg.policy.name}-{identity.config_hash(cfg)}-seed{cfg.seed}",
        config=OmegaConf.to_container(cfg, resolve=True),
        reinit=True,
    )
    try:
        with progress.listen(lambda kind, values: run.log(numbers(kind, values))):
            yield run
    except BaseException:
        run.finish(exit_code=1)  # a failed trial shows as failed, not as still running
        raise


def finish_run(run, record: dict) -> None:
    """The headline numbers as the run's summary; closes the run."""
    if run is None:
        return
    run.summary.update({
        "dense_test": record["dense"]["test"], "target_test": record["target"]["test"],
        "selected_test": record["selected"]["test"], "pulls": record["cost"]["pulls"],
        "prune_seconds": record["cost"]["seconds"],
        "spearman_oracle": record.get("spearman_oracle"),
    })
    run.finish()
