"""A name that becomes a folder (policy.name, model.name, dataset.name, ...) is one
folder: ``../`` or an absolute name is refused in one line, exit 2, and nothing is
written outside runtime.results_dir."""
from __future__ import annotations

import pytest
from conftest import TINY, compose_config, run_cli

from mabbench.config.errors import ConfigError
from mabbench.store.identity import dense_dir, run_dir
from mabbench.tasks.cache import dataset_dir
from mabbench.trial.validate import validate


def test_a_policy_name_that_climbs_out_of_the_store_is_refused(tmp_path):
    """Before: the trial ran and wrote its record four folders above results_dir."""
    results = tmp_path / "a" / "b" / "results"
    done = run_cli(*TINY, "policy=random", "policy.name=../../../../escaped",
                   f"runtime.results_dir={results}", f"runtime.data_dir={tmp_path / 'data'}")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: policy.name='../../../../escaped': must be a single "
                                  "folder name")
    assert len(done.stderr.strip().splitlines()) == 1
    assert [p for p in tmp_path.rglob("*") if "escaped" in p.name] == []
    assert not results.exists()


@pytest.mark.parametrize("override, key", [
    ("model.name=/tmp/elsewhere", "model.name"),
    ("policy.name=..", "policy.name"),
    ("policy.name=", "policy.name"),
    ("dataset.name=a/b", "dataset.name"),
])
def test_names_that_are_not_one_folder_fail_validation(tmp_path, override, key):
    cfg = compose_config([*TINY, override], tmp_path)
    with pytest.raises(ConfigError, match=f"^{key}="):
        validate(cfg)
    with pytest.raises(ConfigError, match=f"^{key}="):  # and no path is ever built from it
        run_dir(cfg) if key != "model.name" else dense_dir(cfg)


def test_the_data_cache_folder_is_one_folder_under_the_data_dir(tmp_path):
    assert dataset_dir(tmp_path, "iris") == tmp_path / "iris"
    with pytest.raises(ConfigError, match=r"^dataset.name='\.\./x'"):
        dataset_dir(tmp_path, "../x")
