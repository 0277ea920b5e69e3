"""The offline tabular and regression suites: every data set whose card says
family tabular or regression and is not online loads here without a network,
matches its card, keeps every class in every split, has only finite features
after the frame rules, and is the same data for the same seed."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml

from mabbench.tasks import load_splits
from mabbench.tasks.base import Split

CONF = Path(__file__).resolve().parent.parent / "conf" / "dataset"
SUITES = ("tabular", "regression")


def offline_cards() -> dict[str, dict]:
    cards = {}
    for path in sorted(CONF.glob("*.yaml")):
        text = path.read_text()
        card = yaml.safe_load(text) or {}
        if card.get("family") in SUITES and not card.get("online") and "???" not in text:
            cards[path.stem] = card
    return cards


CARDS = offline_cards()


def parts(splits) -> list[Split]:
    """Every data role the loader returned (train/val/test, or more roles)."""
    return [value for value in vars(splits).values() if isinstance(value, Split)]


def test_the_suites_are_paper_scale():
    families = [card["family"] for card in CARDS.values()]
    assert families.count("tabular") >= 30 and families.count("regression") >= 15


@pytest.mark.parametrize("dataset", sorted(CARDS))
def test_offline_dataset_matches_its_card(make_cfg, dataset):
    card = CARDS[dataset]
    cfg = make_cfg(f"task={card['family']}", f"dataset={dataset}")
    splits = load_splits(cfg)
    roles = parts(splits)
    assert sum(len(p) for p in roles) == card["rows"]
    assert splits.info["in_features"] == card["features"]
    assert splits.n_outputs == card["classes"]
    for part in roles:
        assert part.inputs[0].shape == (len(part), card["features"])
        assert torch.isfinite(part.inputs[0]).all()
        assert torch.isfinite(part.targets.float()).all()
    if card["family"] == "tabular":
        assert card["classes"] >= 2
        for part in roles:  # stratified: every class in every role
            assert set(part.targets.tolist()) == set(range(card["classes"]))
    again = load_splits(cfg)
    for first, second in zip(roles, parts(again)):
        assert torch.equal(first.inputs[0], second.inputs[0])
        assert torch.equal(first.targets, second.targets)


def test_a_fixed_subsample_is_the_same_rows_for_every_seed(make_cfg):
    """diamonds is cut to 10,000 rows once; the trial seed only moves the split."""
    first = load_splits(make_cfg("task=regression", "dataset=diamonds", "seed=0"))
    other = load_splits(make_cfg("task=regression", "dataset=diamonds", "seed=1"))

    def pooled(splits):
        rows = torch.cat([p.targets * splits.info["target_std"] + splits.info["target_mean"]
                          for p in parts(splits)])
        return torch.sort(rows).values

    assert torch.allclose(pooled(first), pooled(other), atol=1e-2)
    assert not torch.equal(first.test.targets, other.test.targets)
