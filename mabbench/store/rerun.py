"""A run folder's ``rerun.yaml``: its config in a form Hydra can compose again.

``config.yaml`` (what the store's tools read) is the resolved config as plain
data: composed from it, every section loses its schema, so the hashes, which
leave out keys at their schema's default, count every key and come out
different (issue 21: dense 0b2af2f8a5d5 vs 3915e62a806b). Named ``config`` it
also never loads: ``--config-dir`` puts the run folder *after* conf/ on Hydra's
search path, so ``--config-name config`` finds conf/config.yaml, the default
trial. ``rerun.yaml`` names each section's schema first, as conf/'s own files
do, and carries conf/config.yaml's Hydra settings (nothing written to the
working directory)::

    python -m mabbench --config-dir <run folder> --config-name rerun \
        runtime.results_dir=<elsewhere>

gives the record's config and dense hashes (tests/test_rerun.py). Without
``runtime.results_dir`` it finds its own result.json and skips.
"""
from __future__ import annotations

from omegaconf import DictConfig, OmegaConf

RERUN_NAME = "rerun.yaml"
# conf/config.yaml's hydra node: results go to runtime.results_dir, not the cwd
HYDRA_SETTINGS = {"output_subdir": None, "run": {"dir": "."}, "job": {"chdir": False}}
# sections composed from a per-option schema (conf/<group>/*.yaml name one each)
OPTION_SECTIONS = ("dataset", "model", "policy", "reference")


def schema_name(group: str, node: DictConfig) -> str | None:
    """The name ``node``'s dataclass is stored under in ``schema/<group>``; None if untyped."""
    from hydra.core.config_store import ConfigStore

    wanted = OmegaConf.get_type(node)
    for name, entry in ConfigStore.instance().repo.get("schema", {}).get(group, {}).items():
        if getattr(entry.node._metadata, "object_type", None) is wanted:
            return name.removesuffix(".yaml")
    return None


def rerun_text(cfg: DictConfig) -> str:
    """YAML that composes back to ``cfg`` with every section typed as it was."""
    defaults: list = ["config_schema"]
    for group in OPTION_SECTIONS:
        node = cfg.get(group)
        name = schema_name(group, node) if isinstance(node, DictConfig) else None
        if name is not None:
            defaults.append({f"/schema/{group}@{group}": name})
    defaults += [{"override hydra/job_logging": "stdout"}, "_self_"]
    body = OmegaConf.to_container(cfg, resolve=True)
    header = ("# Re-run this trial (mabbench/store/rerun.py):\n"
              "#   python -m mabbench --config-dir <this folder> --config-name rerun "
              "runtime.results_dir=<elsewhere>\n")
    return header + OmegaConf.to_yaml(OmegaConf.create(
        {"defaults": defaults, **body, "hydra": HYDRA_SETTINGS}))
