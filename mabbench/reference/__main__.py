"""`python -m mabbench.reference reference=svm task=tabular dataset=wine seed=0`."""
from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from mabbench.config.errors import ConfigError
from mabbench.config.location import CONF_DIR
from mabbench.experiments.registration import register_schemas


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="reference_run")
def main(cfg: DictConfig) -> None:
    from mabbench.trial.comparator import headline, run_reference

    try:
        record = run_reference(cfg)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    print(headline(record))


if __name__ == "__main__":
    register_schemas()  # every schema a task file may name, the reference ones included
    main()
