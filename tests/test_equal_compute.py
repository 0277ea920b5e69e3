"""Protocol v3's primary endpoints (issue 21, item 1): each method is cut in its
own order to a fraction of the dense cost, reaching it within one arm."""
from __future__ import annotations

import pytest
import torch

from mabbench.models.vgg import VGG
from mabbench.pruning.cost import count_macs, count_params
from mabbench.pruning.ranking import ranking_from_scores
from mabbench.trial.curve_summary import axis_summary
from mabbench.trial.endpoints import CutSearch, removal_plan, removal_sequence


def small_vgg() -> torch.nn.Module:
    torch.manual_seed(0)
    return VGG(10, {"in_channels": 1, "image_size": 8}, stages=[[6], [12]], fc=[16]).eval()


@pytest.mark.parametrize("scope", ["global", "layer"])
@pytest.mark.parametrize("axis", ["macs", "params"])
def test_a_cut_reaches_its_fraction_within_one_arm(scope, axis):
    model = small_vgg()
    widths = {name: getattr(model, name).out_channels if name.startswith("conv")
              else getattr(model, name).out_features for name in model.prunable}
    generator = torch.Generator().manual_seed(1)
    ranking = ranking_from_scores({layer: torch.rand(w, generator=generator)
                                   for layer, w in widths.items()}, scope)
    example = (torch.randn(2, 1, 8, 8),)
    sequence = removal_sequence(ranking, widths, scope)
    assert len(sequence) == sum(w - 1 for w in widths.values())  # every layer keeps a unit
    search = CutSearch(model, sequence, example)
    dense = {"macs": count_macs(model, example), "params": count_params(model)}
    for fraction in (0.75, 0.5, 0.25):
        limit = fraction * dense[axis]
        count = search.fewest(axis, limit)
        assert count is not None and count > 0
        assert search.cost(count)[axis] <= limit < search.cost(count - 1)[axis]
        # the arms removed are the first ``count`` of the method's own order
        assert sum(map(len, removal_plan(sequence, count).values())) == count
    assert search.fewest(axis, 1e-9 * dense[axis]) is None  # the floor: one unit per layer


def test_layer_scope_cuts_every_layer_by_about_the_same_fraction():
    widths = {"a": 10, "b": 40}
    ranking = ranking_from_scores({"a": torch.arange(10.0), "b": torch.arange(40.0)}, "layer")
    plan = removal_plan(removal_sequence(ranking, widths, "layer"), 25)
    assert (len(plan["a"]), len(plan["b"])) == (5, 20)
    assert plan["a"] == list(range(5))  # each layer in its own order


def point(select, test):
    return {"select": select, "test": test}


def test_compression_endpoint_is_chosen_on_select_and_reports_the_test_drop():
    dense = point(0.90, 0.92)
    points = {"0.75": point(0.895, 0.80), "0.5": point(0.893, 0.70), "0.25": point(0.85, 0.91)}
    found = axis_summary(points, dense, delta=0.01)["compression"]
    # 0.25 has the better test score, but select says 0.5 is the cheapest within delta
    assert found["fraction"] == 0.5
    assert found["test_drop"] == pytest.approx(0.92 - 0.70)
    assert found["select_drop"] == pytest.approx(0.90 - 0.893)


def test_no_fraction_within_delta_reports_the_dense_model():
    found = axis_summary({"0.5": point(0.5, 0.5)}, point(0.9, 0.9), delta=0.01)
    assert found["compression"] | {} == {"fraction": 1.0, "delta": 0.01, "select_drop": 0.0,
                                          "test_drop": 0.0, "test": 0.9}


def test_area_is_the_mean_metric_over_the_fractions_and_none_if_one_is_unreachable():
    dense = point(1.0, 1.0)
    flat = {"0.5": point(1.0, 0.6), "0.1": point(1.0, 0.6)}
    auc = axis_summary(flat, dense, 0.01)["auc"]
    # trapezoids over 1 -> 0.5 -> 0.1: (0.5 * 0.8 + 0.4 * 0.6) / 0.9
    assert auc["test"] == pytest.approx((0.5 * 0.8 + 0.4 * 0.6) / 0.9)
    assert axis_summary({"0.5": point(1, 1), "0.1": None}, dense, 0.01)["auc"] is None


def test_collect_flattens_the_endpoints_one_column_each():
    from mabbench.store.collect import endpoint_columns

    reached = {"select": 0.8, "test": 0.7, "mac_fraction": 0.49, "recovery": {"best_epoch": 1},
               "macs": 1200, "params": 300, "latency_s": 0.002}
    record = {"endpoints": {"macs": {
        "points": {"0.5": reached, "0.1": None}, "floor": 0.2, "auc": None,
        "compression": {"fraction": 0.5, "test_drop": 0.1}}}}
    row = endpoint_columns(record)
    assert row["eq_macs_test_0.5"] == 0.7 and row["eq_macs_best_epoch_0.5"] == 1
    assert row["eq_macs_mac_fraction_0.5"] == 0.49 and row["eq_macs_floor"] == 0.2
    assert row["eq_macs_compression_test_drop"] == 0.1
    assert (row["eq_macs_macs_0.5"], row["eq_macs_params_0.5"]) == (1200, 300)
    assert row["eq_macs_latency_ms_0.5"] == 2.0  # stored in seconds, a column in ms
    assert row["eq_macs_test_0.1"] != row["eq_macs_test_0.1"]  # unreachable: NaN
    assert endpoint_columns({}) == {}  # a v2 record has none
