"""Where the Hydra configs live.

conf/ at the top of the repository is the one source. A wheel carries it as
``mabbench/conf`` (mapped at build time by setup.py), so an installed package
finds it inside ``mabbench/``; a source checkout finds it beside the package.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # mabbench/
CONF_DIR = _PACKAGE / "conf" if (_PACKAGE / "conf").is_dir() else _PACKAGE.parent / "conf"
