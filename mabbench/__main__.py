"""`python -m mabbench task=... policy=... seed=...`: compose the config, run one trial."""
from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

import baselines  # noqa: F401  (registers the baseline schemas)
import mabbench.config  # noqa: F401  (registers the schemas before composition)
import mabbench.models  # noqa: F401
import mabbench.policies  # noqa: F401
import mabbench.reference.config  # noqa: F401  (+reference=<comparator> in a grid)
from mabbench.errors import ConfigError
from mabbench.preflight import preflight
from mabbench.report import headline


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> dict:
    from mabbench.trial import run_trial

    try:
        record = run_trial(cfg)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    print(headline(record))
    if record.get("status") == "failed" and not _in_multirun():
        sys.exit(1)  # a single run that failed; in a sweep the others go on
    return record  # the sweep report (mabbench/sweep_report.py) reads it


def _in_multirun() -> bool:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    return HydraConfig.get().mode == RunMode.MULTIRUN


def _is_single_run(argv: list[str]) -> bool:
    """Multiruns and Hydra's own flags (--help, --cfg, -cd ...) go straight to Hydra."""
    return all(not arg.startswith("-") for arg in argv)


if __name__ == "__main__":
    if _is_single_run(sys.argv[1:]):
        try:
            preflight(sys.argv[1:])
        except ConfigError as error:
            print(f"error: {error}", file=sys.stderr)
            sys.exit(2)
    main()
