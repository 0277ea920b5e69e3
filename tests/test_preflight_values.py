"""Issue 22 item 6: preflight names the nearest value of a misspelt option, lists the
task's own datasets, and refuses a dataset of another task's family before running."""
from __future__ import annotations

import pytest

from mabbench.config.errors import ConfigError
from mabbench.experiments.preflight import preflight


@pytest.mark.parametrize("overrides, expected", [
    (["policy=tompson"], "did you mean thompson?"),
    (["dataset=wien"], "did you mean wine?"),
    (["task=regression", "dataset=wine_quality_rd"], "did you mean wine_quality_red?"),
])
def test_a_misspelt_value_gets_the_nearest_option(overrides, expected):
    with pytest.raises(ConfigError, match=expected.replace("?", r"\?")):
        preflight(overrides)


def test_a_dataset_error_lists_only_the_tasks_datasets():
    with pytest.raises(ConfigError) as caught:
        preflight(["task=regression", "dataset=wien"])
    listed = str(caught.value).split("task=regression datasets: ")[1].split(", ")
    assert "concrete" in listed and "iris" not in listed  # iris is tabular


def test_a_dataset_of_another_family_is_refused_before_running():
    with pytest.raises(ConfigError, match="dataset=diabetes: a task=regression dataset, "
                                          "not task=tabular"):
        preflight(["task=tabular", "dataset=diabetes"])
