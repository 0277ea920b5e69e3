"""What a pruning method hands back is checked before it is used.

A policy whose ``estimates()`` were all NaN or infinite was stored as a normal
result, ranked in arm index order; a ``select`` returning a repeated, retired or
out-of-range arm would be pulled or crash deep in the engine. Each check raises
``MethodOutputError`` with one line naming the method and the value. It is a
trial failure (the method is at fault, not the user's input), so the trial leaves
a failure record and a sweep goes on.
"""
from __future__ import annotations

import numpy as np
import torch

SHOWN = 8  # values quoted in a message


class MethodOutputError(RuntimeError):
    """A policy or baseline returned something the engine cannot use."""


def _name(method) -> str:
    name = getattr(method, "name", None)
    base = {"policy", "scorer", None}
    return f"{name}" if name not in base else type(method).__name__


def _quoted(values) -> str:
    values = list(np.asarray(values).ravel()[:SHOWN + 1])
    text = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in values[:SHOWN])
    return f"[{text}{', ...' if len(values) > SHOWN else ''}]"


def checked_arms(policy, arms, k: int) -> np.ndarray:
    """``arms`` as (k,) int64 when they are k distinct live arms of ``policy``."""
    found = np.asarray(arms)
    said = f"policy {_name(policy)}: select({k}) returned {_quoted(found)}"
    if found.shape != (k,):
        raise MethodOutputError(f"{said}: shape {found.shape}, expected ({k},) (one arm per "
                                "pull asked for)")
    if found.size and found.dtype.kind not in "iu":
        raise MethodOutputError(f"{said}: expected integer arm indices")
    found = found.astype(np.int64)
    outside = found[(found < 0) | (found >= policy.n_arms)]
    if outside.size:
        raise MethodOutputError(f"{said}: arm {int(outside[0])} is outside "
                                f"[0, {policy.n_arms - 1}]")
    if len(np.unique(found)) != k:
        raise MethodOutputError(f"{said}: an arm appears twice; expected {k} distinct arms")
    dead = found[~policy.live[found]]
    if dead.size:
        raise MethodOutputError(f"{said}: arm {int(dead[0])} was removed; expected live arms")
    return found


def checked_values(policy, values, what: str = "estimates()") -> np.ndarray:
    """``values`` as (n_arms,) float64 when every one is finite."""
    found = np.asarray(values, dtype=np.float64) if np.size(values) else np.zeros(0)
    said = f"policy {_name(policy)}: {what}"
    if found.shape != (policy.n_arms,):
        raise MethodOutputError(f"{said} has shape {found.shape}, expected ({policy.n_arms},)")
    bad = ~np.isfinite(found)
    if bad.any():
        first = int(np.argmax(bad))
        raise MethodOutputError(f"{said} holds {int(bad.sum())} non-finite value(s) of "
                                f"{found.size} (arm {first}: {float(found[first])!r}); expected "
                                "finite numbers")
    return found


def checked_scores(method, scores: dict, widths: dict[str, int]) -> dict[str, torch.Tensor]:
    """A baseline's importance: one finite (width,) tensor per layer of ``widths``."""
    said = f"policy {_name(method)}: importance()"
    if not isinstance(scores, dict) or set(scores) != set(widths):
        got = sorted(scores) if isinstance(scores, dict) else type(scores).__name__
        raise MethodOutputError(f"{said} returned layers {got}, expected {sorted(widths)}")
    for layer, width in widths.items():
        score = torch.as_tensor(scores[layer])
        if tuple(score.shape) != (width,):
            raise MethodOutputError(f"{said}[{layer!r}] has shape {tuple(score.shape)}, "
                                    f"expected ({width},)")
        bad = ~torch.isfinite(score.double())
        if bad.any():
            first = int(torch.argmax(bad.int()))
            raise MethodOutputError(f"{said}[{layer!r}] holds {int(bad.sum())} non-finite "
                                    f"value(s) (unit {first}: {float(score[first])!r}); "
                                    "expected finite numbers")
    return scores
