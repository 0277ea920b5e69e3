"""Typed schemas for every config node, registered in Hydra's ConfigStore.

YAML files under conf/ hold values; these dataclasses hold types and defaults.
Each YAML lists its schema first in its defaults (``schema/<group>/<name>``), so a
misspelt key such as ``pruning.sparsityy=0.5`` fails at start-up, naming it.
Groups whose options differ in shape (dataset, model, policy) are typed per
option, registered with ``store_schema``: a bandit policy beside its class,
datasets, models and baselines in their package's ``schemas.py``, apart from
the code that needs torch or pandas (mabbench.experiments.registration).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING


def store_schema(group: Optional[str], name: str, node: type) -> None:
    """Register ``node`` as ``schema/<group>/<name>``; an option's YAML lists it
    first in its defaults as ``- /schema/<group>@_here_: <name>``. Keeping
    schemas out of ``<group>/`` keeps them out of the choices Hydra lists."""
    ConfigStore.instance().store(group=f"schema/{group}" if group else None, name=name, node=node)


@dataclass
class SplitConfig:
    """Fractions of the whole data set per data role (PROTOCOL.md step 1); the
    rest trains. ``prune``: every ranking is computed on it; ``select``: the
    reported sparsity and hyper-parameters are chosen on it; ``test``: reported
    only. A data set with a published test set keeps it as test, and prune and
    select are these fractions of its training pool."""

    prune: float = 0.2
    select: float = 0.15
    test: float = 0.2
    stratify: bool = True


@dataclass
class EarlyStoppingConfig:
    """Stop dense training when the select split stops improving: after
    ``patience`` epochs without an improvement larger than ``min_delta`` (in the
    monitored value's units) by ``monitor`` (``metric``, ties broken by the loss,
    or ``loss``; mabbench/trial/early_stopping.py says why); the best epoch's weights
    are kept. ``patience: null`` or 0
    (the schema default, so a config without it trains as before and keeps its
    hashes) trains all ``epochs``; the task files turn it on."""

    patience: Optional[int] = None
    min_delta: float = 0.0
    monitor: str = "metric"


@dataclass
class LRScheduleConfig:
    """The learning rate over epochs (``name`` in mabbench/trial/recipe.py's
    LR_SCHEDULES): ``constant``; ``multistep`` (times ``gamma`` at each epoch of
    ``milestones``, He et al. 2016); ``cosine`` (to 0 at ``task.train.epochs``)."""

    name: str = "constant"
    milestones: list[int] = field(default_factory=list)
    gamma: float = 0.1


@dataclass
class TrainConfig:
    """Dense training. The dense model is cached by a hash of these keys (a key
    at its default is not hashed, so the recipe keys below left at theirs keep
    every existing dense model). With early stopping on, ``epochs`` is the cap."""

    epochs: int = 100
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.0
    optimizer: str = "adam"
    momentum: float = 0.0  # SGD's; 0.9 in every CIFAR ResNet recipe
    nesterov: bool = False
    lr_schedule: LRScheduleConfig = field(default_factory=LRScheduleConfig)
    # a name in mabbench/tasks/augment.py: none, crop, crop_flip (train batches only)
    augmentation: str = "none"
    early_stopping: EarlyStoppingConfig = field(default_factory=EarlyStoppingConfig)


@dataclass
class TaskConfig:
    """A task family: what is predicted, how it is scored and trained."""

    name: str = MISSING
    metric: str = MISSING  # "accuracy" or "r2"; higher is better for both
    loss: str = MISSING  # "cross_entropy" or "mse"
    split: SplitConfig = field(default_factory=SplitConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


@dataclass
class DatasetConfig:
    """A dataset and its data card. Loaders add their own keys by subclassing."""

    name: str = MISSING
    family: str = MISSING  # the task family it belongs to
    source: str = ""
    license: str = ""
    size: str = ""
    splits: str = ""
    online: bool = False  # True: downloaded on first use into runtime.data_dir (tasks/cache.py)


@dataclass
class ModelConfig:
    """A model family; ``_target_`` builds it, the other keys size it."""

    _target_: str = MISSING
    name: str = MISSING


@dataclass
class RewardConfig:
    """How a pull's loss change becomes a safe-removal reward in [0, 1].

    ``transform`` names an entry of mabbench.pruning.rewards.REWARDS;
    ``scale`` is in units of the unmasked mini-batch loss.
    """

    # chosen on the development suite by select scores (docs/protocol.md)
    transform: str = "unsigned"
    scale: float = 0.1


@dataclass
class LatencyConfig:
    """Measured inference latency of the points a table reports (dense, target,
    selected, the primary endpoints; not every curve level):
    ``warmup`` untimed forwards, then the median of ``repeats`` timed ones on
    ``batch_size`` select rows with ``threads`` torch threads. ``repeats: 0`` skips it.
    ``deploy``: the inference form timed, dense and pruned alike (a name in
    mabbench.pruning.deploy.DEPLOY_FORMS: raw, folded, channels_last, frozen)."""

    batch_size: int = 256
    threads: int = 1
    warmup: int = 3
    repeats: int = 10
    deploy: str = "frozen"


@dataclass
class FinetuneConfig:
    """Fine-tuning under ``pruning.regime=finetune`` (mabbench/trial/regimes/finetune.py):
    ``epochs`` on train for every method, a fresh optimizer over the smaller
    model's parameters, the epoch (0 included) with the best select score kept.
    Read by no other regime. 2 epochs at lr 1e-4: docs/protocol.md section 12."""

    epochs: int = 2
    batch_size: int = 32
    lr: float = 1e-4
    weight_decay: float = 0.0
    optimizer: str = "adam"


@dataclass
class RecalibrationConfig:
    """``pruning.regime=bn_recalibration``: BatchNorm statistics re-estimated over
    every train row in batches of ``batch_size`` (mabbench/trial/regimes/bn_recalibration.py)."""

    batch_size: int = 128


@dataclass
class PruningConfig:
    """Arms, budgets and the sparsity curve (PROTOCOL.md steps 3-8)."""

    sparsity: float = 0.5  # the target sparsity reported as the headline point
    # fine near the dense end, where the selected point usually lies; the
    # dense model (0) is always a candidate for the selected point too
    levels: list[float] = field(
        default_factory=lambda: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
                                 0.6, 0.7, 0.8, 0.9]
    )
    # primary endpoints (protocol v3): each method cut in its own order to these
    # fractions of the dense model's MACs and parameters (record "endpoints";
    # mabbench/trial/endpoints.py); the unit-sparsity curve is also interpolated
    # at the MAC fractions (record "at_macs")
    mac_fractions: list[float] = field(default_factory=lambda: [0.75, 0.5, 0.25, 0.1])
    param_fractions: list[float] = field(default_factory=lambda: [0.75, 0.5, 0.25, 0.1])
    # the compression endpoint: the smallest fraction whose select metric is
    # within this of the dense select metric (docs/protocol.md section 12)
    compression_delta: float = 0.01
    # an entry of mabbench/trial/regimes: one_shot, bn_recalibration, finetune;
    # what a cut model gets before it is scored, the same for every method
    regime: str = "one_shot"
    layers: Optional[list[str]] = None  # None: every layer the model declares prunable
    # "global" (one pool: layers lose different fractions; chosen on the
    # development suite, docs/protocol.md) or "layer" (the paper: the same
    # fraction of every layer)
    scope: str = "global"
    budget_per_arm: float = 5.0  # pulls = budget_per_arm x number of arms
    arms_per_round: int = 16  # k arms pulled per batched forward
    batch_size: int = 128  # mini-batch of the prune split per pull (at most all of it)
    ranking: str = "mean"  # "mean" estimate, or "cumulative" as the 2017 code
    # an entry of mabbench/pruning/schedules.py: one_shot, iterative (explore,
    # retire, explore again), sequential (layer by layer, earlier ones pruned)
    schedule: str = "iterative"  # chosen on the development suite (docs/protocol.md)
    iterations: int = 3  # exploration stages when schedule=iterative
    oracle_rho: bool = True  # record Spearman rho vs the (cached) leave-one-out oracle
    save_models: bool = False  # keep each curve point's weights + removal plan (saved_models.py)
    reward: RewardConfig = field(default_factory=RewardConfig)
    latency: LatencyConfig = field(default_factory=LatencyConfig)
    finetune: FinetuneConfig = field(default_factory=FinetuneConfig)
    recalibration: RecalibrationConfig = field(default_factory=RecalibrationConfig)


@dataclass
class RuntimeConfig:
    """Where and how a trial runs. Left out of the config hash."""

    device: str = "auto"  # "auto" = CUDA when present (GPU = job number mod count), else CPU
    precision: str = "fp32"  # "bf16": autocast the forwards of pulls and evaluation
    threads: int = 0  # torch intra-op threads; 0 keeps torch's default
    # Keep freed blocks up to 256 MiB in the heap for reuse (glibc; runtime/allocator.py):
    # a CNN's evaluation ran twice as fast on CPU, bit-identical. Process-wide, one-way.
    reuse_freed_memory: bool = True
    results_dir: str = "results"
    data_dir: str = "~/.cache/mabbench"
    wandb: bool = False  # log each finished trial to Weights & Biases (optional extra)
    wandb_project: str = "mabbench"
    retry_failed: bool = False  # re-run trials that left failed.json (mabbench/store/failures.py)
    force: bool = False  # run again even if result.json exists (replaced when the new one is written)
    # Seconds one trial may run before it ends as a failure (mabbench/runtime/deadline.py);
    # null: no limit. The reference grid sets one (conf/experiment/reference.yaml).
    timeout: Optional[float] = None
    # Seconds a build lock (a dense model's folder) may be held by a *stopped* process
    # before a waiter breaks it (mabbench/files/locks.py); a running holder is never broken.
    lock_break_s: float = 600.0


@dataclass
class Config:
    task: TaskConfig = MISSING
    dataset: Any = MISSING
    model: Any = MISSING
    policy: Any = MISSING
    pruning: PruningConfig = field(default_factory=PruningConfig)
    seed: int = 0
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    # ``+reference=<comparator>`` (conf/reference/): the job fits that classical
    # comparator on the same splits instead of pruning (mabbench/trial/comparator.py).
    reference: Any = None
    # ``+control.allocation=<method>``: a standing control instead of a pruning trial:
    # that method's per-layer counts filled with ``policy``'s order within each layer,
    # read from both methods' records (mabbench/trial/control.py). Untyped: Hydra
    # cannot add a key below a typed section that is None (trial/control_identity.py checks it).
    control: Any = None


store_schema(None, "config_schema", Config)
store_schema("dataset", "base", DatasetConfig)
