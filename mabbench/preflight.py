"""Check a single run's overrides before Hydra starts, so bad input gets one
line (the key and what is allowed) and an exit code, and nothing is written."""
from __future__ import annotations

from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import ConfigCompositionException, MissingConfigException
from omegaconf.errors import OmegaConfBaseException

from mabbench.errors import ConfigError
from mabbench.validate import validate

CONF_DIR = Path(__file__).resolve().parent.parent / "conf"
LISTED_GROUPS = {"task": "tasks", "policy": "policies"}


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _one_line(error: BaseException) -> str:
    """Hydra's error and its cause (which names the key) on one line."""
    parts = [_first_line(error)]
    cause = error.__cause__
    if cause is not None:
        parts.append(_first_line(cause))
        full_key = getattr(cause, "full_key", None)
        if full_key:
            parts.append(f"key: {full_key}")
    return "; ".join(parts)


def preflight(overrides: list[str]) -> None:
    """Compose the config as Hydra will and validate it; raise ConfigError on bad input."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        try:
            cfg = compose("config", overrides=overrides)
        except MissingConfigException as error:
            loader = GlobalHydra.instance().config_loader()
            choices = "; ".join(f"available {plural}: {', '.join(loader.get_group_options(group))}"
                                for group, plural in LISTED_GROUPS.items())
            raise ConfigError(f"{_first_line(error)}; {choices}") from None
        except (ConfigCompositionException, OmegaConfBaseException) as error:
            raise ConfigError(_one_line(error)) from None
    GlobalHydra.instance().clear()
    validate(cfg)
