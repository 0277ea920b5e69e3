"""The four data roles (train / prune / select / test) and the pull batches
drawn from prune: disjoint, seeded, sized by config, no replacement."""
from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from mabbench.pruning.batches import PruneBatches
from mabbench.tasks import load_splits
from mabbench.tasks.base import Split, role_split

SPLIT = SimpleNamespace(prune=0.2, select=0.15, test=0.2)


def test_roles_are_disjoint_cover_the_rows_and_are_sized_by_config():
    labels = np.arange(200) % 4
    train, prune, select, test = role_split(200, SPLIT, seed=0, stratify=labels)
    together = np.concatenate([train, prune, select, test])
    assert len(together) == len(set(together.tolist())) == 200
    assert (len(prune), len(select), len(test), len(train)) == (40, 30, 40, 90)
    for part in (train, prune, select, test):  # stratified: every class in every role
        assert np.bincount(labels[part], minlength=4).min() > 0


def test_roles_are_fixed_by_the_seed():
    first = role_split(300, SPLIT, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(first, role_split(300, SPLIT, seed=3)))
    assert not np.array_equal(first[1], role_split(300, SPLIT, seed=4)[1])


def test_a_published_test_set_leaves_prune_and_select_to_the_training_pool():
    train, prune, select, test = role_split(100, SPLIT, seed=0, published_test=True)
    assert len(test) == 0 and (len(prune), len(select), len(train)) == (20, 15, 65)


def test_too_few_rows_is_one_clear_error():
    with pytest.raises(ValueError, match="too few for the data roles"):
        role_split(3, SPLIT, seed=0)


def test_loader_states_every_role_and_rows_never_leak_between_them(make_cfg):
    splits = load_splits(make_cfg("task=image", "seed=1"))
    sizes = splits.sizes()
    assert set(sizes) == {"train", "prune", "select", "test"} and sum(sizes.values()) == 1797
    images = {role: [tuple(x.flatten().tolist()) for x in getattr(splits, role).inputs[0]]
              for role in sizes}
    everything = sum(images.values(), [])
    repeated = len(everything) - len(set(everything))  # digits holds a few identical images
    rows = {role: set(found) for role, found in images.items()}
    for a, b in itertools.combinations(sizes, 2):  # every pair of roles, train included
        assert len(rows[a] & rows[b]) <= repeated, (a, b)


def _numbered(rows: int) -> Split:
    return Split((torch.arange(rows, dtype=torch.float32)[:, None],), torch.arange(rows))


def test_pull_batches_draw_without_replacement_in_reshuffled_passes():
    batches = PruneBatches(_numbered(10), batch_size=4, generator=torch.Generator().manual_seed(0))
    drawn = [batches.next().targets.tolist() for _ in range(5)]  # 20 rows = two passes
    assert all(len(b) == len(set(b)) == 4 for b in drawn)  # no row twice in a batch
    first_pass = sum(drawn, [])[:10]
    assert sorted(first_pass) == list(range(10))  # every row once before any repeats
    again = PruneBatches(_numbered(10), 4, torch.Generator().manual_seed(0))
    assert [again.next().targets.tolist() for _ in range(5)] == drawn  # seeded


def test_a_pull_batch_never_exceeds_the_prune_split():
    batches = PruneBatches(_numbered(6), batch_size=128, generator=torch.Generator().manual_seed(1))
    for _ in range(3):
        assert sorted(batches.next().targets.tolist()) == list(range(6))
