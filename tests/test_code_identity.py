"""Issue 22 item 3: a user method's record is keyed by its code; the built-in
methods' hashes (which key the committed archive) do not move; runtime.force
runs a finished job again."""
from __future__ import annotations

import json
import sys

import pyarrow.parquet as pq
import pytest
from conftest import REPO, compose_config

from mabbench.files.integrity import write_checked_json
from mabbench.store import identity
from mabbench.trial.resume import RESULT_KEYS, stored_outcome

ARCHIVE = REPO / "results" / "reference" / "records.parquet"
USER = REPO / "tests" / "user_policy"


@pytest.mark.parametrize("task, dataset, policy", [
    ("tabular", "iris", "ucb1"), ("tabular", "iris", "magnitude"),
    ("regression", "concrete", "thompson"), ("tabular", "pima", "none")])
def test_archive_dense_models_stay_and_builtins_hash_no_code(tmp_path, task, dataset,
                                                             policy, monkeypatch):
    """The reference grid's job composed today prunes the archived record's dense model
    (compare reuses it), and a built-in method's config hash holds no code digest: only
    protocol v3 (PROTOCOL_VERSION 3, docs/protocol.md) moved it from the archive's."""
    cfg = compose_config(["+experiment=reference", f"task={task}", f"dataset={dataset}",
                          f"policy={policy}", "seed=0"], tmp_path)
    rows = pq.read_table(ARCHIVE, columns=["path", "record"], filters=[
        ("task", "=", task), ("dataset", "=", dataset), ("policy", "=", policy),
        ("seed", "=", 0)]).to_pylist()
    stored = [json.loads(row["record"]) for row in rows]
    assert stored, f"no archived record of {task}/{dataset}/{policy} seed 0"
    assert identity.dense_hash(cfg) in {r["dense_hash"] for r in stored}
    with_code = identity.config_hash(cfg)
    monkeypatch.setattr(identity, "code_identity", lambda policy: {})
    assert identity.config_hash(cfg) == with_code


def _user_cfg(tmp_path):
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    with initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
        cfg = compose("config", overrides=["policy=shrunk_thompson",
                                           f"hydra.searchpath=[file://{USER / 'conf'}]"])
    GlobalHydra.instance().clear()
    return cfg


def test_changed_user_code_changes_the_hash(tmp_path, monkeypatch):
    code = tmp_path / "code"
    code.mkdir()
    source = (USER / "shrunk_thompson.py").read_text()
    monkeypatch.syspath_prepend(str(code))
    cfg = _user_cfg(tmp_path)

    def hash_of(text: str) -> str:
        (code / "shrunk_thompson.py").write_text(text)
        sys.modules.pop("shrunk_thompson", None)
        try:
            return identity.config_hash(cfg)
        finally:  # later tests must not find this copy imported
            sys.modules.pop("shrunk_thompson", None)

    before, edited = hash_of(source), hash_of(source + "\n# an edit\n")
    assert edited != before
    declared = hash_of(source + "\nShrunkThompson.version = '1.0'\n")  # a declared version wins
    assert hash_of(source + "\n# a comment\nShrunkThompson.version = '1.0'\n") == declared
    assert declared not in (before, edited)


def test_force_runs_a_finished_job_again(tmp_path):
    folder = tmp_path / "run"
    record = {key: {} for key in RESULT_KEYS} | {"config_hash": "h", "seed": 0, "policy": "u"}
    write_checked_json(folder / "result.json", record)
    plain = compose_config(["policy=uniform"], tmp_path)
    assert stored_outcome(plain, folder, "h")["status"] == "skipped"
    forced = compose_config(["policy=uniform", "runtime.force=true"], tmp_path)
    assert stored_outcome(forced, folder, "h") is None
