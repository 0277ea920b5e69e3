"""Dense training, cached by the dense hash so every method prunes the same model.

The cache is ``model.pt`` then ``meta.json`` (written last, with model.pt's
sha256). It is trusted only if meta.json validates (mabbench/files/integrity.py)
and model.pt matches its checksum; otherwise both are moved aside and the
model is retrained. Training stops early on the select split where the task
says so (mabbench/trial/early_stopping.py); meta.json records what happened.
Building holds a lock (mabbench/files/locks.py), so processes asking for one dense
model at once train it once. A training run whose loss
or weights become non-finite raises Diverged and caches nothing.
"""
from __future__ import annotations

import hashlib
import io
import logging
import time
from pathlib import Path

import torch
from omegaconf import DictConfig
from torch import nn

from mabbench.files.atomic import atomic_write_bytes
from mabbench.files.integrity import file_digest, quarantine, read_trusted_json, write_checked_json
from mabbench.files.locks import build_lock
from mabbench.models import build_model
from mabbench.runtime import memo, progress
from mabbench.runtime.timing import phase
from mabbench.store import identity
from mabbench.store.failures import Diverged
from mabbench.tasks.augment import augmentation_for
from mabbench.tasks.base import Split, Splits
from mabbench.tasks.objectives import LOSSES
from mabbench.trial.early_stopping import EarlyStopping, fixed_epochs_summary, stopper_for
from mabbench.trial.recipe import optimizer_and_schedule

log = logging.getLogger(__name__)


def train(model: nn.Module, data: Split, train_cfg, loss_name: str, seed: int,
          stopper: EarlyStopping | None = None) -> nn.Module:
    """Mini-batch training; the shuffling order is fixed by ``seed``. With a
    ``stopper``, ``train_cfg.epochs`` is a cap: it may stop sooner, and the
    model ends with the weights of its best epoch on select. The optimizer,
    learning-rate schedule (stepped per epoch) and augmentation of the train
    batches are the config's (mabbench/trial/recipe.py, mabbench/tasks/augment.py)."""
    loss_fn = LOSSES.get(loss_name)
    optimizer, scheduler = optimizer_and_schedule(model.parameters(), train_cfg)
    augment = augmentation_for(getattr(train_cfg, "augmentation", None) or "none", data.inputs)
    generator = torch.Generator().manual_seed(seed)
    # its own stream, so turning augmentation on leaves the batch order as it was
    augment_generator = torch.Generator().manual_seed(seed + 1)
    model.train()
    epochs = progress.bar(train_cfg.epochs, desc="training", unit="epoch")
    for epoch in range(train_cfg.epochs):
        finite = torch.ones((), dtype=torch.bool, device=data.targets.device)
        order = torch.randperm(len(data), generator=generator).to(data.targets.device)
        for start in range(0, len(data), train_cfg.batch_size):
            batch = data.subset(order[start:start + train_cfg.batch_size])
            optimizer.zero_grad(set_to_none=True)
            inputs = batch.inputs if augment is None else (augment(batch.inputs[0], augment_generator),)
            loss = loss_fn(model(*inputs), batch.targets).mean()
            finite &= torch.isfinite(loss.detach())  # checked once per epoch: no sync per step
            loss.backward()
            optimizer.step()
        if scheduler is not None:
            scheduler.step()
        if not bool(finite):
            epochs.close()
            raise Diverged(f"dense training diverged: non-finite loss in epoch {epoch + 1} "
                           f"(task.train.lr={train_cfg.lr}, optimizer={train_cfg.optimizer})")
        if not epochs.disable:  # .item() syncs a GPU: only when someone is watching
            epochs.set_postfix(loss=f"{loss.item():.4f}", refresh=False)
        epochs.update()
        if stopper is not None and stopper.after_epoch(epoch + 1, model):
            break
    epochs.close()
    if stopper is not None:
        stopper.restore(model)
    bad = [name for name, value in model.state_dict().items()
           if value.is_floating_point() and not bool(torch.isfinite(value).all())]
    if bad:
        raise Diverged(f"dense training diverged: non-finite weights in {', '.join(bad[:3])}")
    return model.eval()


def _copy_of(model: nn.Module) -> dict[str, torch.Tensor]:
    """A state dict that later in-place edits of ``model`` cannot reach."""
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}


def _load_cached(model: nn.Module, folder: Path, expected_hash: str, device: torch.device,
                 repair: bool) -> dict | None:
    """meta.json's record if the cache validates and loads into ``model``; else
    None, and with ``repair`` (lock held) the damaged files are moved aside."""
    weights, meta_path = folder / "model.pt", folder / "meta.json"
    if not meta_path.exists():
        return None
    expect = {"dense_hash": expected_hash}
    meta = read_trusted_json(meta_path, ("train_seconds",), expect, repair=repair)
    if meta is None:
        return None
    why = None
    if not weights.exists():
        why = "model.pt is missing"
    elif "model_sha256" in meta and file_digest(weights) != meta["model_sha256"]:
        why = "model.pt does not match the sha256 in meta.json"
    else:
        try:
            model.load_state_dict(torch.load(weights, map_location=device, weights_only=True))
        except Exception as error:  # noqa: BLE001  (any unreadable cache is retrained)
            why = f"model.pt does not load: {type(error).__name__}"
    if why is None:
        return meta
    if repair:
        quarantine(meta_path, why)
        if weights.exists():
            quarantine(weights, why)
    return None


def dense_model(cfg: DictConfig, splits: Splits, device: torch.device) -> tuple[nn.Module, dict]:
    """Load the cached dense model, or train and cache it. Returns (model, meta)."""
    folder = identity.dense_dir(cfg)
    expected_hash = identity.dense_hash(cfg)
    torch.manual_seed(cfg.seed)  # the same initial weights for every policy
    model = build_model(cfg.model, splits).to(device)
    key = (str(folder), str(device))  # the folder names the dense hash and seed
    held = memo.DENSE.get(key)  # already loaded or trained by an earlier trial in this process
    if held is not None:
        model.load_state_dict(held[0])
        return model.eval(), dict(held[1])
    meta = _load_cached(model, folder, expected_hash, device, repair=False)
    if meta is not None:
        memo.DENSE.put(key, (_copy_of(model), meta))
        return model.eval(), meta
    with build_lock(folder, break_after_s=cfg.runtime.lock_break_s):
        meta = _load_cached(model, folder, expected_hash, device, repair=True)
        if meta is not None:  # built by another process while this one waited
            memo.DENSE.put(key, (_copy_of(model), meta))
            return model.eval(), meta
        log.info("training dense model %s", folder)
        start = time.perf_counter()
        stopper = stopper_for(cfg.task, splits.select.to(device))
        with phase("dense_training"):
            train(model, splits.train.to(device), cfg.task.train, cfg.task.loss, cfg.seed,
                  stopper)
        meta = {"dense_hash": expected_hash, "train_seconds": time.perf_counter() - start,
                "training": (stopper.summary(cfg.task.train.epochs) if stopper is not None
                             else fixed_epochs_summary(cfg.task.train.epochs))}
        buffer = io.BytesIO()
        torch.save(model.state_dict(), buffer)
        atomic_write_bytes(folder / "model.pt", buffer.getvalue())
        meta["model_sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()  # the bytes written
        write_checked_json(folder / "meta.json", meta)  # written last: the cache is complete
    memo.DENSE.put(key, (_copy_of(model), meta))
    return model, meta
