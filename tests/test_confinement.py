"""A config's ``_target_`` builds only a method, a network or a comparator's estimator:
anything else (``shutil.copyfile``, ``builtins.open``, a class nested in a grid) is
refused in one line naming the key, before anything is built or written."""
from __future__ import annotations

import pytest
from conftest import TINY, compose_config, run_cli
from omegaconf import OmegaConf

from mabbench.config.errors import ConfigError
from mabbench.reference.comparators import estimator_config
from mabbench.trial.run import build_method
from mabbench.trial.validate import validate


def test_a_policy_yaml_naming_a_function_is_refused_before_it_runs(tmp_path):
    """Before: the trial called shutil.copyfile(src, dst) and overwrote dst."""
    victim, source = tmp_path / "thesis.tex", tmp_path / "other.txt"
    victim.write_text("chapter 1")
    source.write_text("gone")
    policy = tmp_path / "conf" / "policy" / "copier.yaml"
    policy.parent.mkdir(parents=True)
    policy.write_text(f"_target_: shutil.copyfile\nname: copier\nsrc: {source}\ndst: {victim}\n")
    done = run_cli(*TINY, "policy=copier", f"hydra.searchpath=[file://{tmp_path / 'conf'}]",
                   f"runtime.results_dir={tmp_path / 'results'}",
                   f"runtime.data_dir={tmp_path / 'data'}")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: policy._target_='shutil.copyfile': ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert victim.read_text() == "chapter 1"
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("override, key", [
    ("model._target_=builtins.open", "model._target_='builtins.open'"),
    ("model._target_=collections.OrderedDict", "model._target_='collections.OrderedDict'"),
    ("model._target_=nowhere.Model", "model._target_='nowhere.Model'"),
])
def test_a_model_target_that_is_not_a_network_is_refused(tmp_path, override, key):
    cfg = compose_config([*TINY, override], tmp_path)
    with pytest.raises(ConfigError, match=f"^{key}: "):
        validate(cfg)


def test_builtins_open_as_a_policy_never_truncates_the_file(tmp_path):
    victim = tmp_path / "data.csv"
    victim.write_text("a,b\n1,2\n")
    policy = OmegaConf.create({"_target_": "builtins.open", "name": "x", "file": str(victim),
                               "mode": "w"})
    with pytest.raises(ConfigError, match=r"^policy._target_='builtins.open': "):
        build_method(policy)
    assert victim.read_text() == "a,b\n1,2\n"


def test_a_class_nested_in_a_config_is_refused(tmp_path):
    cfg = compose_config([*TINY, "+reference=svm"], tmp_path)
    OmegaConf.set_struct(cfg, False)
    cfg.reference.classifier.grid.C = [{"_target_": "shutil.rmtree", "path": str(tmp_path)}]
    with pytest.raises(ConfigError, match=r"^reference.classifier.grid.C\[0\]._target_="):
        estimator_config(cfg.reference, "accuracy", "tabular")
    cfg.reference.classifier.estimator._target_ = "subprocess.Popen"
    with pytest.raises(ConfigError, match="^reference.classifier.estimator._target_="):
        estimator_config(cfg.reference, "accuracy", "tabular")
    assert tmp_path.is_dir()
