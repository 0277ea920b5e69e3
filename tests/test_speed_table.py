"""The speed table reports each model at protocol v3's equal-compute cut (half the dense
MACs), the v2 target where no record reaches it, and each record's own speed-up."""
from __future__ import annotations

import math

import pandas as pd

from paper_figures.speed import POINTS, point_medians, table_rows


def runs(**columns) -> pd.DataFrame:
    base = {"task": "image", "dataset": "digits", "model": "lenet",
            "dense_params": 100.0, "dense_macs": 1000.0, "target_params": 50.0,
            "target_macs": 600.0, "target_sparsity": 0.5, "target_latency_ms": 1.0}
    return pd.DataFrame([base | row for row in columns.pop("rows")])


def test_a_model_is_reported_at_half_its_macs_with_each_records_own_speed_up():
    # two trials timed under different load: a ratio of medians (20 / 7.5 = 2.67x) would
    # pair one trial's dense time with another's pruned time; each record says 2x and 3x
    table = runs(rows=[{"dense_latency_ms": 10.0, "eq_macs_latency_ms_0.5": 5.0,
                        "eq_macs_macs_0.5": 500.0, "eq_macs_params_0.5": 40.0,
                        "eq_macs_sparsity_0.5": 0.6},
                       {"dense_latency_ms": 30.0, "eq_macs_latency_ms_0.5": 10.0,
                        "eq_macs_macs_0.5": 500.0, "eq_macs_params_0.5": 40.0,
                        "eq_macs_sparsity_0.5": 0.6}])
    [row] = table_rows({label: point_medians(table, cols) for label, cols in POINTS.items()})
    assert row[:5] == ["image", "digits", "lenet", "50% of dense MACs", "0.60"]
    assert row[10] == "2.00x"  # MACs 1000 -> 500
    assert row[-1] == "2.50x (2.25-2.75)"


def test_a_model_no_cut_brings_to_half_its_macs_is_reported_at_the_target():
    nan = math.nan
    table = runs(rows=[{"dense_latency_ms": 2.0, "eq_macs_latency_ms_0.5": nan,
                        "eq_macs_macs_0.5": nan, "eq_macs_params_0.5": nan}])
    [row] = table_rows({label: point_medians(table, cols) for label, cols in POINTS.items()})
    assert row[3:5] == ["target sparsity", "0.50"]
    assert row[-1] == "2.00x (2.00-2.00)"
    v2 = runs(rows=[{"dense_latency_ms": 2.0}])  # an archive without the v3 columns
    assert table_rows({label: point_medians(v2, cols)
                       for label, cols in POINTS.items()})[0][3] == "target sparsity"
