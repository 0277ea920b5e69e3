"""`+experiment=paper2017` runs the 2017 protocol end to end (tiny budgets)."""
from __future__ import annotations

from conftest import TINY, compose_config
from torch import nn

from mabbench.models import build_model
from mabbench.tasks import load_splits
from mabbench.trial.run import run_trial


def test_paper2017_runs_end_to_end_with_the_2017_choices(tmp_path):
    cfg = compose_config(["+experiment=paper2017", *TINY, "task.train.epochs=5"],
                         tmp_path / "results")
    p = cfg.pruning
    assert (p.reward.transform, p.ranking, p.schedule, p.scope) == (
        "accuracy", "cumulative", "sequential", "layer")
    assert list(cfg.model.hidden) == [30] and cfg.model.dropout == 0.5
    model = build_model(cfg.model, load_splits(cfg))
    assert isinstance(model.drop0, nn.Dropout) and model.drop0.p == 0.5
    record = run_trial(cfg)
    assert record["layers"] == {"hidden0": 30}
    assert record["cost"]["pulls"] == 2 * 30  # TINY's budget_per_arm 2 x 30 arms
    assert 0.0 <= record["selected"]["test"] <= 1.0 and record["split_sizes"]["prune"] > 0
